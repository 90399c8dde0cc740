/**
 * `eval wider`: detection AP on WIDER-format ground truth with the official protocol.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import {
  evaluateWider,
  parseWiderGt,
  parseWiderSplits,
  prPlotSvg,
  type WiderEvalImage,
  type WiderSplits,
} from "../eval.ts";
import { writeFileAtomic } from "../pipelines/edge/atomic.ts";
import { parseArgs } from "./args.ts";
import {
  DETECT_FLAG_OPTIONS,
  DETECT_OPTIONS_HELP,
  DETECT_VALUE_OPTIONS,
  printError,
} from "./common.ts";
import { outputFileProblem } from "./output_names.ts";
import { openFaceSource } from "./eval_source.ts";
import { progress } from "./progress.ts";

/** The help text. */
export const EVAL_WIDER_HELP = `Usage: deno task eval wider --gt FILE --images DIR [options]

Runs the detector on every image of a WIDER FACE ground-truth file and prints one JSON line:
  {"easy": {"ap": A, "faces": N}, "medium": {...}, "hard": {...}, "images": N, "faces": N,
   "detections": N}
with the official WIDER FACE protocol: IoU >= 0.5, scores normalised over the set, 1,000
thresholds, VOC-style AP; faces outside a setting's list are ignored, not missed.

Options:
  --gt FILE             ground truth in the official format (wider_face_val_bbx_gt.txt)
  --images DIR          image folder: DIR/<name as in FILE>, or DIR/<base name> (flat folders)
  --splits FILE         difficulty splits JSON (per setting, per image, 0-based face indices;
                        ../shared/data/wider_val_gt/difficulty_splits.json). Without it one
                        setting "all" counts every face.
  --plot FILE.svg       also write the precision-recall curves as SVG
  --overwrite           replace an existing --plot file (default: refuse)
  --predictions FILE    evaluate stored detections instead of running the detector: detect's
                        NDJSON (.ndjson, boxes x,y,w,h) or {"images": {path: {"faces": [{"box":
                        [x1,y1,x2,y2], "score"}]}}} JSON; images matched by path or base name
${DETECT_OPTIONS_HELP}
  --verbose             stack traces with errors
  -h, --help            this help

Exit code 0 on success, 1 when a file cannot be read or an image fails, 2 for a usage error.
`;

const readText = async (path: string): Promise<string | Error> => {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    return new Error(
      `${path}: cannot read (${e instanceof Deno.errors.NotFound ? "no such file" : e})`,
    );
  }
};

const imagePath = (dir: string, name: string): string | undefined =>
  [join(dir, name), join(dir, basename(name))].find((p) => existsSync(p));

const round4 = (
  x: number,
): number | null => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : null);

/** Runs `eval wider`; returns the exit code. */
export const run = async (args: string[]): Promise<number> => {
  const parsed = parseArgs(args, {
    values: [...DETECT_VALUE_OPTIONS, "gt", "images", "splits", "plot", "predictions"],
    flags: ["help", "verbose", "overwrite", ...DETECT_FLAG_OPTIONS],
  });
  if (typeof parsed === "string") return printError(`${parsed} (see eval wider --help)`), 2;
  const o = parsed.options;
  if (o.help) return console.log(EVAL_WIDER_HELP), 0;
  if (typeof o.gt !== "string" || typeof o.images !== "string") {
    return printError("eval wider needs --gt FILE and --images DIR (see --help)"), 2;
  }
  if (parsed.positional.length > 0) {
    return printError(`unexpected argument ${parsed.positional[0]}`), 2;
  }
  if (typeof o.plot === "string" && !o.plot.toLowerCase().endsWith(".svg")) {
    return printError(`--plot writes SVG only: give a .svg file name, got ${o.plot}`), 2;
  }
  const plotProblem = typeof o.plot === "string"
    ? await outputFileProblem(o.plot, o.overwrite === true)
    : undefined;
  if (plotProblem) return printError(`--plot ${o.plot} ${plotProblem}`), 2;
  const verbose = o.verbose === true;
  const gtText = await readText(o.gt);
  if (gtText instanceof Error) return printError(gtText.message), 1;
  const gt = parseWiderGt(gtText, o.gt);
  if (gt._tag === "Left") return printError(gt.left), 1;
  let splits: WiderSplits | undefined;
  if (typeof o.splits === "string") {
    const text = await readText(o.splits);
    if (text instanceof Error) return printError(text.message), 1;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return printError(`${o.splits}: not JSON (${e instanceof Error ? e.message : e})`), 1;
    }
    const s = parseWiderSplits(json, o.splits);
    if (s._tag === "Left") return printError(s.left), 1;
    splits = s.right;
  }
  const paths: string[] = [];
  for (const im of gt.right) {
    const p = imagePath(o.images, im.name);
    if (!p) return printError(`${im.name}: not found in ${o.images} (by path or base name)`), 1;
    paths.push(p);
  }
  const source = await openFaceSource(o);
  if ("error" in source) return printError(source.error, verbose), source.code;
  const images: WiderEvalImage[] = [];
  const bar = progress("eval wider", gt.right.length);
  try {
    for (let i = 0; i < gt.right.length; i++) {
      const im = gt.right[i];
      const faces = await source.faces(paths[i], im.name);
      bar.tick();
      if (faces._tag === "Left") return printError(faces.left, verbose), 1;
      images.push({
        name: im.name,
        gt: im.faces.map((f) => f.box),
        predictions: faces.right.map((f) => ({ box: f.box, score: f.confidence })),
      });
    }
  } finally {
    bar.done();
    source.close();
  }
  const r = evaluateWider(images, splits);
  if (r._tag === "Left") return printError(r.left), 1;
  const summary: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.right)) summary[k] = { ap: round4(v.ap), faces: v.faces };
  summary.images = images.length;
  summary.faces = images.reduce((s, im) => s + im.gt.length, 0);
  summary.detections = images.reduce((s, im) => s + im.predictions.length, 0);
  console.log(JSON.stringify(summary));
  if (typeof o.plot === "string") {
    const curves = Object.entries(r.right).map(([label, v]) => ({ label, ...v }));
    try {
      const svg = prPlotSvg(curves, { title: `WIDER FACE: ${basename(o.gt)}` });
      await writeFileAtomic(o.plot, new TextEncoder().encode(svg));
    } catch (e) {
      return printError(`${o.plot}: cannot write (${e instanceof Error ? e.message : e})`), 1;
    }
  }
  return 0;
};
