/**
 * `dataset`: generates a training set for PNet, RNet or ONet from an annotation list.
 *
 * @module
 */
import { join } from "node:path";
import { progressBar } from "./progress.ts";
import { parseArgs } from "./args.ts";
import { backendFrom, printError } from "./common.ts";
import { useBackend } from "../mod.ts";
import {
  type AnnotationFormat,
  generateMinedSet,
  generatePnetSet,
  loadNetWeights,
  loadTrainingImages,
  MINED_COUNTS,
  PNET_COUNTS,
  toTensors,
} from "../train.ts";
import { prepareOutputFolder } from "./output_names.ts";

/** The help text. */
export const DATASET_HELP =
  `Usage: deno task dataset --net pnet|rnet|onet --list FILE --out DIR [options]

Generates a training set (sharded binary records + index.json, see docs/training.md):
  pnet  12x12 random crops around and away from each face, labelled by IoU (positive >= 0.65,
        part 0.4-0.65, negative < 0.3) plus landmark crops, about 3 : 1 : 1 : 2
  rnet  24x24 crops of the candidates PNet finds (mined with --pnet), labelled the same way
  onet  48x48 crops of the candidates PNet + RNet keep (--pnet, --rnet), plus landmark samples

Options:
  --net NAME            pnet, rnet or onet (required)
  --list FILE           annotation list (required)
  --format F            cnn_facepoint (default), mtfl, wider (bbx_gt file), json (ours) or
                        ndjson (detect's output, default --box-format: its faces as the truth)
  --root DIR            folder relative image paths are relative to (default: the list's
                        folder; for ndjson the current one, where detect ran); absolute
                        paths are used as they are
  --out DIR             output folder (required; keep it out of the repository)
  --seed N              seed (default 1); same seed and list, same set
  --limit N             use only the first N images
  --counts A,B,C,D[,J]  per image: negatives, positives, parts, landmark samples per face
                        (pnet default ${Object.values(PNET_COUNTS).join(",")}; rnet/onet default ${
    Object.values(MINED_COUNTS).join(",")
  }, J = jittered
                        positive/part/landmark crops per face added to the mined ones)
  --landmark-iou X      rnet/onet: landmark samples need IoU >= X with the face box (default 0.4)
  --top-up-negatives    rnet/onet: add random negative crops when fewer were mined
  --reframe A,B         rnet/onet: first cut each image to a square of A to B eye-to-mouth
                        distances around its face (AFLW's framing is about 2.9,3.7)
  --repeat N            rnet/onet: mine each image N times (default 1), reframed anew each time
  --after-onet          onet: run the whole cascade (also ONet, --onet) and cut the crops around
                        its final boxes, as the landmark stage does (a landmark-only ONet's set)
  --pnet W --rnet W     mining weights: default, a .lz4 file or a checkpoint (default: default)
  --onet W              ONet's weights for --after-onet (default: default)
  --landmark-padding P  with --after-onet, as the landmark stage pads its crops: zeros
                        (default: 0 after the nets' normalisation, i.e. mid grey, outside the
                        image) or clamp (the crop clamped to the image)
  --shard-size N        records per shard (default 4096)
  --overwrite           replace a training set already in --out (default: refuse)
  --backend B           auto (default), wasm or cpu
  -h, --help            this help
`;

const int = (v: string | boolean | undefined, d: number): number =>
  v === undefined ? d : Number.isInteger(Number(v)) ? Number(v) : NaN;

const exists = async (path: string): Promise<boolean> => {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
};

/** Runs the command; returns the exit code. */
export const run = async (args: string[]): Promise<number> => {
  const p = parseArgs(args, {
    values: [
      "net",
      "list",
      "format",
      "root",
      "out",
      "seed",
      "limit",
      "counts",
      "landmark-iou",
      "pnet",
      "rnet",
      "onet",
      "repeat",
      "landmark-padding",
      "shard-size",
      "reframe",
      "backend",
    ],
    flags: ["help", "top-up-negatives", "after-onet", "overwrite"],
  });
  if (typeof p === "string") return (printError(`${p} (see --help)`), 2);
  const o = p.options;
  if (o.help) return (console.log(DATASET_HELP), 0);
  const net = o.net as string;
  if (!["pnet", "rnet", "onet"].includes(net)) {
    return (printError("--net must be pnet, rnet or onet"), 2);
  }
  if (typeof o.list !== "string" || typeof o.out !== "string") {
    return (printError("--list and --out are required (see --help)"), 2);
  }
  const format = (o.format ?? "cnn_facepoint") as AnnotationFormat;
  if (!["cnn_facepoint", "mtfl", "json", "wider", "ndjson"].includes(format)) {
    return (printError("--format must be cnn_facepoint, mtfl, wider, json or ndjson"), 2);
  }
  const seed = int(o.seed, 1);
  const limit = int(o.limit, 0);
  const shardSize = int(o["shard-size"], 4096);
  const repeat = int(o.repeat, 1);
  const counts = typeof o.counts === "string" ? o.counts.split(",").map(Number) : undefined;
  if (
    [seed, limit, shardSize, repeat].some(Number.isNaN) || repeat < 1 ||
    counts?.some((c) => !Number.isInteger(c) || c < 0)
  ) {
    return (printError("--seed, --limit, --shard-size, --repeat, --counts take whole numbers"), 2);
  }
  if (shardSize < 1 || limit < 0) {
    return (printError("--shard-size must be at least 1 and --limit at least 0"), 2);
  }
  const li = o["landmark-iou"] === undefined ? undefined : Number(o["landmark-iou"]);
  if (li !== undefined && !(li >= 0 && li <= 1)) {
    return (printError(`--landmark-iou must be a number from 0 to 1, got ${o["landmark-iou"]}`), 2);
  }
  const outError = await prepareOutputFolder("--out", o.out);
  if (outError) return (printError(outError), 2);
  if (!o.overwrite && await exists(join(o.out, "index.json"))) {
    return (printError(
      `--out ${o.out} already holds a training set (index.json): add --overwrite to replace it, or choose another folder`,
    ),
      2);
  }
  if (o["after-onet"] && net !== "onet") return (printError("--after-onet needs --net onet"), 2);
  const lp = o["landmark-padding"];
  if (lp !== undefined && !(o["after-onet"] && (lp === "clamp" || lp === "zeros"))) {
    return (printError("--landmark-padding takes clamp or zeros, with --after-onet"), 2);
  }
  const be = backendFrom(o);
  if ("error" in be) return (printError(be.error), 2);
  const b = await useBackend(be.backend);
  if (b._tag === "Left") return (printError(b.left), 1);
  const imgs = await loadTrainingImages(o.list, format, o.root as string | undefined);
  if (imgs._tag === "Left") return (printError(imgs.left), 1);
  const images = limit > 0 ? imgs.right.slice(0, limit) : imgs.right;
  // The first reasons images were skipped, repeated if the run writes no sample at all.
  const skips: string[] = [];
  const log = (l: string) => {
    if (l.startsWith("skipped") && skips.length < 3) skips.push(l);
    console.error(l);
  };
  const provenance = { command: ["dataset", ...args], images: images.length };
  const t0 = performance.now();
  let r;
  const bar = progressBar(`${net} set`);
  const onProgress = (i: number, total: number, text: string) => bar.update(i, total, text);
  if (net === "pnet") {
    const c = counts
      ? { neg: counts[0], pos: counts[1], part: counts[2], landmark: counts[3] }
      : undefined;
    r = await generatePnetSet(images, {
      out: o.out,
      seed,
      shardSize,
      log,
      provenance,
      counts: c,
      onProgress,
    });
  } else {
    const pw = await loadNetWeights("pnet", (o.pnet as string) ?? "default");
    if (pw._tag === "Left") return (printError(pw.left), 1);
    const rw = await loadNetWeights("rnet", (o.rnet as string) ?? "default");
    if (rw._tag === "Left") return (printError(rw.left), 1);
    const ow = o["after-onet"]
      ? await loadNetWeights("onet", (o.onet as string) ?? "default")
      : undefined;
    if (ow?._tag === "Left") return (printError(ow.left), 1);
    const pt = toTensors(pw.right);
    const rt = toTensors(rw.right);
    const c = counts
      ? {
        neg: counts[0],
        pos: counts[1],
        part: counts[2],
        landmark: counts[3],
        jitter: counts[4] ?? 1,
      }
      : undefined;
    const rf = typeof o.reframe === "string" ? o.reframe.split(",").map(Number) : undefined;
    if (rf && (rf.length !== 2 || !(rf[0] > 0 && rf[1] >= rf[0]))) {
      return (printError("--reframe takes two numbers A,B with 0 < A <= B"), 2);
    }
    r = await generateMinedSet(images, {
      net: net as "rnet" | "onet",
      pnet: pt,
      rnet: rt,
      out: o.out,
      seed,
      shardSize,
      log,
      provenance,
      counts: c,
      landmarkIou: li,
      reframe: rf ? { min: rf[0], max: rf[1] } : undefined,
      topUpNegatives: !!o["top-up-negatives"],
      repeat,
      afterOnet: ow ? toTensors(ow.right) : undefined,
      landmarkPadding: lp as "clamp" | "zeros" | undefined,
      onProgress,
    });
  }
  bar.done();
  if (r._tag === "Left") return (printError(r.left), 1);
  if (r.right.total === 0) {
    const why = skips.length > 0
      ? `; first: ${skips.join("; ")}`
      : images.length === 0
      ? `: ${o.list} lists no image`
      : "";
    return (printError(`wrote 0 samples from ${images.length} images${why}`), 1);
  }
  console.log(JSON.stringify({
    out: o.out,
    total: r.right.total,
    counts: r.right.counts,
    shards: r.right.shards.length,
    seconds: +((performance.now() - t0) / 1000).toFixed(1),
  }));
  return 0;
};

if (import.meta.main) Deno.exit(await run(Deno.args));
