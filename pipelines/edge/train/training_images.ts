/**
 * Loading an annotation list (CNN_FacePoint, MTFL, WIDER FACE or our JSON format) as the
 * images and faces dataset generation samples from.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { dirname, isAbsolute, join } from "node:path";
import { parseCnnFacePointList } from "../../../lib/annotations/cnn_facepoint.ts";
import { parseDetectNdjson } from "../../../lib/annotations/detect_ndjson.ts";
import { parseJsonAnnotations } from "../../../lib/annotations/json.ts";
import { parseMtflList } from "../../../lib/annotations/mtfl.ts";
import { parseWiderGt } from "../../../lib/eval/wider_gt.ts";
import { describe, type MtcnnError, mtcnnError } from "../../../lib/errors.ts";
import type { Result } from "../../../lib/result.ts";
import type { AnnotatedFace } from "../../../lib/train/samples.ts";

/** Annotation list formats. */
export type AnnotationFormat = "cnn_facepoint" | "mtfl" | "json" | "wider" | "ndjson";

/** An image file and its faces. */
export interface TrainingImage {
  /** Path of the image file. */
  readonly path: string;
  /** Its faces (boxes; landmarks when known). */
  readonly faces: readonly AnnotatedFace[];
}

const flat = (pts: readonly (readonly [number, number])[]): number[] => [
  ...pts.map((p) => p[0]),
  ...pts.map((p) => p[1]),
];

/** A face box around five landmarks, for lists without boxes (MTFL): the points' extent
 * grown to a square 2.2x the eye-mouth span, centred a bit above the points' centre. */
export const boxFromLandmarks = (lm: readonly number[]): AnnotatedFace["box"] => {
  const xs = lm.slice(0, 5);
  const ys = lm.slice(5);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const s = 2.2 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  return [cx - s / 2, cy - s * 0.55, cx + s / 2, cy + s * 0.45];
};

/**
 * Reads an annotation list; relative image paths are resolved against `root` (default: the
 * list's folder; for `ndjson`, `detect`'s output in its default box format, the current folder,
 * where `detect` ran), absolute ones are kept. Malformed lines are errors naming the file and line.

 *
 * @example
 * ```ts
 * import { loadTrainingImages } from "@mtcnn/mtcnn/train";
 * const r = await loadTrainingImages("mtfl/cnn_facepoint_trainImageList.txt", "cnn_facepoint");
 * if (r._tag === "Right") console.log(r.right.length, r.right[0].faces[0].box);
 * else console.error(r.left.message); // names the file and line of a malformed line
 * ```
 */
export const loadTrainingImages = async (
  list: string,
  format: AnnotationFormat,
  root?: string,
): Promise<Result<MtcnnError, TrainingImage[]>> => {
  let text: string;
  try {
    text = await Deno.readTextFile(list);
  } catch (e) {
    return E.left(mtcnnError("IoError", `${list}: cannot read (${describe(e)})`, e));
  }
  // detect printed its paths relative to the folder it ran in: by default, this one.
  const base = root ?? (format === "ndjson" ? "." : dirname(list));
  const at = (p: string) => (isAbsolute(p) ? p : join(base, p));
  if (format === "json" || format === "ndjson") {
    const r = format === "json" ? parseJsonAnnotations(text, list) : parseDetectNdjson(text, list);
    if (r._tag === "Left") return r;
    return E.right(r.right.map((im) => ({
      path: at(im.path),
      faces: im.faces.map((f) => ({
        box: f.box,
        ...(f.landmarks ? { landmarks: flat(f.landmarks) } : {}),
      })),
    })));
  }
  if (format === "wider") {
    // WIDER FACE boxes are [x, y, w, h]; faces the official file marks invalid are skipped.
    const r = parseWiderGt(text, list);
    if (r._tag === "Left") return r;
    return E.right(r.right.map((im) => ({
      path: at(im.name),
      faces: im.faces.filter((f) => !f.invalid && f.box[2] > 0 && f.box[3] > 0).map((f) => ({
        box: [f.box[0], f.box[1], f.box[0] + f.box[2], f.box[1] + f.box[3]] as const,
      })),
    })));
  }
  const r = format === "mtfl"
    ? parseMtflList(text, list, { oneBased: true })
    : parseCnnFacePointList(text, list);
  if (r._tag === "Left") return r;
  return E.right(r.right.map((a) => {
    const landmarks = flat(a.landmarks);
    return {
      path: at(a.path),
      faces: [{ box: a.box ?? boxFromLandmarks(landmarks), landmarks }],
    };
  }));
};
