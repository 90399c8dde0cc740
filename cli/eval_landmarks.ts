/**
 * `eval landmarks`: landmark error (NME over the inter-ocular distance) on an MTFL or
 * CNN_FacePoint list.
 *
 * @module
 */
import { join } from "node:path";
import { type LandmarkCase, landmarkError, parseCnnFacePointList, parseMtflList } from "../eval.ts";
import type { Face } from "../mod.ts";
import { parseArgs } from "./args.ts";
import {
  DETECT_FLAG_OPTIONS,
  DETECT_OPTIONS_HELP,
  DETECT_VALUE_OPTIONS,
  printError,
} from "./common.ts";
import { openFaceSource } from "./eval_source.ts";
import { progress } from "./progress.ts";

/** The help text. */
export const EVAL_LANDMARKS_HELP =
  `Usage: deno task eval landmarks --list FILE --images DIR [options]

Runs the detector on every image of a landmark list and prints one JSON line:
  {"nme_mean": M, "nme_median": M, "failure_rate": F, "miss_rate": R, "faces": N}
NME = mean distance of the five landmarks over the distance between the two eyes. Each listed
face is matched to the detection whose box contains the centre of its landmarks (nearest box
centre if several); none is a miss. Mean, median and failure rate (NME > 0.1) are over matched
faces, the miss rate over all.

Options:
  --list FILE           MTFL (path x1..x5 y1..y5 gender smile glasses pose) or CNN_FacePoint
                        (path left right top bottom x1 y1 ... x5 y5) list
  --images DIR          folder the list's paths are relative to
  --format F            mtfl, cnn or auto (default: mtfl when the last four fields are 1-5
                        integers)
  --one-based           subtract 1 from MTFL coordinates (MTFL's are 1-based)
  --predictions FILE    evaluate stored detections instead of running the detector (see
                        eval wider --help)
${DETECT_OPTIONS_HELP}
  --verbose             stack traces with errors
  -h, --help            this help

Exit code 0 on success, 1 when a file cannot be read or an image fails, 2 for a usage error.
`;

const looksLikeMtfl = (text: string): boolean => {
  const first = text.split("\n").find((l) => l.trim() !== "")?.trim().split(/\s+/) ?? [];
  return first.length === 15 && first.slice(11).every((f) => /^[1-5]$/.test(f));
};

const round4 = (
  x: number,
): number | null => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : null);

/** Runs `eval landmarks`; returns the exit code. */
export const run = async (args: string[]): Promise<number> => {
  const parsed = parseArgs(args, {
    values: [...DETECT_VALUE_OPTIONS, "list", "images", "format", "predictions"],
    flags: ["help", "verbose", "one-based", ...DETECT_FLAG_OPTIONS],
  });
  if (typeof parsed === "string") return printError(`${parsed} (see eval landmarks --help)`), 2;
  const o = parsed.options;
  if (o.help) return console.log(EVAL_LANDMARKS_HELP), 0;
  if (typeof o.list !== "string" || typeof o.images !== "string") {
    return printError("eval landmarks needs --list FILE and --images DIR (see --help)"), 2;
  }
  if (parsed.positional.length > 0) {
    return printError(`unexpected argument ${parsed.positional[0]}`), 2;
  }
  const format = o.format ?? "auto";
  if (format !== "auto" && format !== "mtfl" && format !== "cnn") {
    return printError(`--format must be mtfl, cnn or auto, got ${format}`), 2;
  }
  const verbose = o.verbose === true;
  let text: string;
  try {
    text = await Deno.readTextFile(o.list);
  } catch (e) {
    return printError(
      `${o.list}: cannot read (${e instanceof Deno.errors.NotFound ? "no such file" : e})`,
    ),
      1;
  }
  const mtfl = format === "mtfl" || (format === "auto" && looksLikeMtfl(text));
  if (!mtfl && o["one-based"]) return printError("--one-based applies to MTFL lists only"), 2;
  const list = mtfl
    ? parseMtflList(text, o.list, { oneBased: o["one-based"] === true })
    : parseCnnFacePointList(text, o.list);
  if (list._tag === "Left") return printError(list.left), 1;
  const source = await openFaceSource(o);
  if ("error" in source) return printError(source.error, verbose), source.code;
  const cache = new Map<string, readonly Face[]>();
  const cases: LandmarkCase[] = [];
  const bar = progress("eval landmarks", list.right.length);
  try {
    for (const a of list.right) {
      let faces = cache.get(a.path);
      if (!faces) {
        const r = await source.faces(join(o.images, a.path), a.path);
        if (r._tag === "Left") return printError(r.left, verbose), 1;
        cache.set(a.path, faces = r.right);
      }
      bar.tick();
      cases.push({ landmarks: a.landmarks, faces });
    }
  } finally {
    bar.done();
    source.close();
  }
  const r = landmarkError(cases);
  console.log(JSON.stringify({
    nme_mean: round4(r.nmeMean),
    nme_median: round4(r.nmeMedian),
    failure_rate: round4(r.failureRate),
    miss_rate: round4(r.missRate),
    faces: r.faces,
  }));
  return 0;
};
