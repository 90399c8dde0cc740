/**
 * `train evaluate`: scores a cascade (any mix of pretrained and trained nets) on an annotated
 * list: recall at IoU >= 0.5, false positives per image, landmark error.
 *
 * @module
 */
import { parseArgs } from "./args.ts";
import { progressBar } from "./progress.ts";
import { backendFrom, listImages, printError } from "./common.ts";
import { createDetector, type DetectorOptions, useBackend } from "../mod.ts";
import { cascade, faceAndLandmarks, localNet, refineLandmarks } from "../stages.ts";
import type { MtcnnWeights } from "../weights.ts";
import { writeFileAtomic } from "../pipelines/edge/atomic.ts";
import {
  type AnnotationFormat,
  evaluateCascade,
  loadNetWeights,
  loadTrainingImages,
} from "../train.ts";
import { outputFileProblem } from "./output_names.ts";

/** The help text. */
export const TRAIN_EVALUATE_HELP = `Usage: deno task train evaluate --list FILE [options]
       deno task train evaluate --images DIR --ndjson FILE [--pnet W --rnet W --onet W]

Runs the cascade over an annotated list and prints JSON: recall (IoU >= 0.5, one-to-one),
false positives per image, landmark NME (mean distance over the inter-ocular distance; a face
is matched by the detection whose box holds the landmarks' centre, nearest centre first).

Options:
  --list FILE           annotation list (required)
  --format F            cnn_facepoint (default), mtfl (1-based: 1 is subtracted), wider or json
  --root DIR            folder image paths are relative to (default: the list's folder)
  --pnet W --rnet W --onet W   default (pretrained), a .lz4 file or a checkpoint
  --landmark-onet W     a second ONet used for landmarks only, on crops of the final boxes
                        (pipelines/stages/landmarks.ts); boxes and scores stay the cascade's
  --landmark-padding P  its crops outside the image: zeros (default: 0 after the nets'
                        normalisation, i.e. mid grey) or clamp (the crop clamped to the
                        image); use what its training set was cut with
  --limit N             first N images only
  --images DIR --ndjson FILE   instead: detect every image of DIR with these weights and write
                        detect's NDJSON to FILE (for \`deno task eval wider --predictions\`)
  --overwrite           replace an existing --ndjson FILE (default: refuse)
  --backend B           auto (default), wasm or cpu
  -h, --help            this help
`;

/** Runs the sub-command; returns the exit code. */
export const run = async (args: string[]): Promise<number> => {
  const p = parseArgs(args, {
    values: [
      "list",
      "format",
      "root",
      "pnet",
      "rnet",
      "onet",
      "landmark-onet",
      "landmark-padding",
      "limit",
      "backend",
      "images",
      "ndjson",
    ],
    flags: ["help", "overwrite"],
  });
  if (typeof p === "string") return (printError(`${p} (see --help)`), 2);
  const o = p.options;
  if (o.help) return (console.log(TRAIN_EVALUATE_HELP), 0);
  const toNdjson = typeof o.images === "string" && typeof o.ndjson === "string";
  if (typeof o.list !== "string" && !toNdjson) {
    return (printError("--list (or --images and --ndjson) is required (see --help)"), 2);
  }
  const format = (o.format ?? "cnn_facepoint") as AnnotationFormat;
  if (!["cnn_facepoint", "mtfl", "json", "wider", "ndjson"].includes(format)) {
    return (printError("--format must be cnn_facepoint, mtfl, wider, json or ndjson"), 2);
  }
  const limit = Number(o.limit ?? 0);
  if (!(Number.isInteger(limit) && limit >= 0)) {
    return (printError(`--limit must be a whole number >= 0, got ${o.limit}`), 2);
  }
  if (toNdjson) {
    const why = await outputFileProblem(o.ndjson as string, o.overwrite === true);
    if (why) return (printError(`--ndjson ${o.ndjson} ${why}`), 2);
  }
  const be = backendFrom(o);
  if ("error" in be) return (printError(be.error), 2);
  const b = await useBackend(be.backend);
  if (b._tag === "Left") return (printError(b.left), 1);
  const pn = await loadNetWeights("pnet", (o.pnet as string) ?? "default");
  const rn = await loadNetWeights("rnet", (o.rnet as string) ?? "default");
  const on = await loadNetWeights("onet", (o.onet as string) ?? "default");
  for (const w of [pn, rn, on]) if (w._tag === "Left") return (printError(w.left), 1);
  if (pn._tag === "Left" || rn._tag === "Left" || on._tag === "Left") return 1;
  const weights = { pnet: pn.right, rnet: rn.right, onet: on.right };
  const lw = typeof o["landmark-onet"] === "string"
    ? await loadNetWeights("onet", o["landmark-onet"])
    : undefined;
  if (lw?._tag === "Left") return (printError(lw.left), 1);
  const padding = o["landmark-padding"];
  if (padding !== undefined && !(lw && (padding === "clamp" || padding === "zeros"))) {
    return (printError("--landmark-padding takes clamp or zeros, with --landmark-onet"), 2);
  }
  const lnet = lw ? localNet("onet", lw.right) : undefined;
  if (lnet?._tag === "Left") return (printError(lnet.left), 1);
  const lt = lnet?.right;
  const options: DetectorOptions = lt
    ? {
      stages: (nets, opts) =>
        cascade(faceAndLandmarks(nets, opts), refineLandmarks(lt, { padding })),
    }
    : {};
  try {
    if (toNdjson) {
      return await detectToNdjson(weights, options, o.images as string, o.ndjson as string);
    }
    const imgs = await loadTrainingImages(o.list as string, format, o.root as string | undefined);
    if (imgs._tag === "Left") return (printError(imgs.left), 1);
    const images = limit > 0 ? imgs.right.slice(0, limit) : imgs.right;
    const bar = progressBar("evaluate");
    const r = await evaluateCascade(
      weights,
      images,
      options,
      (l) => console.error(l),
      (i, total, text) => bar.update(i, total, text),
    );
    bar.done();
    if (r._tag === "Left") return (printError(r.left), 1);
    console.log(JSON.stringify({ list: o.list, backend: b.right, ...r.right }));
    return 0;
  } finally {
    lt?.dispose();
  }
};

const detectToNdjson = async (
  w: MtcnnWeights,
  options: DetectorOptions,
  dir: string,
  out: string,
): Promise<number> => {
  const d = await createDetector({ ...options, weights: w });
  if (d._tag === "Left") return (printError(d.left), 1);
  const lines: string[] = [];
  let failed = 0;
  for (const path of listImages([dir])) {
    const r = await d.right.detect(path);
    if (r._tag === "Left") {
      failed++;
      printError(r.left);
      continue;
    }
    const { width, height, faces } = r.right;
    lines.push(JSON.stringify({ image: path, width, height, faces }));
  }
  d.right.dispose();
  try {
    await writeFileAtomic(out, new TextEncoder().encode(lines.join("\n") + "\n"));
  } catch (e) {
    return (printError(`cannot write ${out}: ${e instanceof Error ? e.message : e}`), 1);
  }
  console.log(JSON.stringify({ images: lines.length, failed, out }));
  return failed ? 1 : 0;
};
