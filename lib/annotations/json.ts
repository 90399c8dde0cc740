/**
 * Our own simple annotation format (documented in docs/training.md):
 *
 * ```json
 * { "format": "mtcnn-annotations", "version": 1,
 *   "images": [
 *     { "path": "a.jpg",
 *       "faces": [ { "box": [x1, y1, x2, y2],
 *                    "landmarks": [[x, y], [x, y], [x, y], [x, y], [x, y]] } ] } ] }
 * ```
 *
 * Paths are relative to the JSON file; coordinates are 0-based pixels; `landmarks` (left eye,
 * right eye, nose, left and right mouth corners, "left" = the image's left) is optional; an
 * image with `"faces": []` has no face (all its crops are negatives).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Point } from "../face.ts";
import type { Result } from "../result.ts";

/** One face of a JSON annotation. */
export interface JsonFace {
  /** [x1, y1, x2, y2], 0-based pixels, x2 > x1 and y2 > y1. */
  readonly box: readonly [number, number, number, number];
  /** Five points, or absent. */
  readonly landmarks?: readonly [Point, Point, Point, Point, Point];
}

/** One image of a JSON annotation. */
export interface JsonImage {
  /** Image path relative to the annotation file, `/` separators. */
  readonly path: string;
  /** The faces in the image (may be empty). */
  readonly faces: readonly JsonFace[];
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isPoint = (p: unknown): p is Point => Array.isArray(p) && p.length === 2 && p.every(isNum);

/**
 * Parses and checks a JSON annotation file; errors name the file and the image / face index.
 *
 * @example
 * ```ts
 * import { parseJsonAnnotations } from "@mtcnn/mtcnn/train";
 * const text = JSON.stringify({
 *   format: "mtcnn-annotations", version: 1,
 *   images: [{ path: "a.jpg", faces: [{ box: [1, 2, 30, 40] }] }],
 * });
 * const r = parseJsonAnnotations(text, "faces.json");
 * console.log(r._tag === "Right" && r.right[0].faces.length); // 1
 * ```
 */
export const parseJsonAnnotations = (
  text: string,
  file: string,
): Result<MtcnnError, JsonImage[]> => {
  const bad = (m: string) => E.left(mtcnnError("FormatError", `${file}: ${m}`));
  let j: { format?: unknown; version?: unknown; images?: unknown };
  try {
    j = JSON.parse(text);
  } catch (e) {
    return E.left(mtcnnError("FormatError", `${file}: not valid JSON`, e));
  }
  if (j?.format !== "mtcnn-annotations" || j.version !== 1) {
    return bad(`"format" must be "mtcnn-annotations" and "version" 1`);
  }
  if (!Array.isArray(j.images)) return bad(`"images" must be an array`);
  const out: JsonImage[] = [];
  for (const [i, im] of (j.images as unknown[]).entries()) {
    const img = im as { path?: unknown; faces?: unknown };
    if (typeof img?.path !== "string" || img.path === "") return bad(`images[${i}]: no "path"`);
    if (!Array.isArray(img.faces)) {
      return bad(`images[${i}] (${img.path}): "faces" must be an array`);
    }
    const faces: JsonFace[] = [];
    for (const [k, fa] of (img.faces as unknown[]).entries()) {
      const f = fa as { box?: unknown; landmarks?: unknown };
      const where = `images[${i}].faces[${k}] (${img.path})`;
      const b = f?.box;
      if (!Array.isArray(b) || b.length !== 4 || !b.every(isNum) || b[2] <= b[0] || b[3] <= b[1]) {
        return bad(`${where}: "box" must be [x1, y1, x2, y2] with x2 > x1 and y2 > y1`);
      }
      const lm = f.landmarks;
      if (lm !== undefined && (!Array.isArray(lm) || lm.length !== 5 || !lm.every(isPoint))) {
        return bad(`${where}: "landmarks" must be five [x, y] points`);
      }
      faces.push({
        box: b as unknown as JsonFace["box"],
        ...(lm ? { landmarks: lm as unknown as JsonFace["landmarks"] } : {}),
      });
    }
    out.push({ path: img.path.replaceAll("\\", "/"), faces });
  }
  return E.right(out);
};
