/**
 * `detect`'s own output read back as annotations, so that its faces can be reviewed and fed to
 * `dataset --format ndjson` for fine-tuning. One JSON object per line:
 *
 * ```json
 * {"image": "a.jpg", "width": 640, "height": 480,
 *  "faces": [{"box": [x, y, w, h], "confidence": 0.99,
 *             "keypoints": {"left_eye": [x, y], "right_eye": [x, y], "nose": [x, y],
 *                           "mouth_left": [x, y], "mouth_right": [x, y]}}]}
 * ```
 *
 * Boxes are `detect`'s default `[x, y, width, height]` and become `[x1, y1, x2, y2]`;
 * `keypoints` become the five landmarks in the annotation order (left eye, right eye, nose,
 * left and right mouth corner); a face-only run's faces have no landmarks. Blank lines are
 * skipped; anything else that is not such an object is a FormatError naming the line.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Point } from "../face.ts";
import type { Result } from "../result.ts";
import type { JsonFace, JsonImage } from "./json.ts";

/** The keypoint names of `detect`'s output, in the annotation's landmark order. */
const KEYPOINTS = ["left_eye", "right_eye", "nose", "mouth_left", "mouth_right"] as const;

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isPoint = (p: unknown): p is Point => Array.isArray(p) && p.length === 2 && p.every(isNum);

/**
 * Parses `detect`'s NDJSON output as annotated images (paths as `detect` printed them).
 *
 * @example
 * ```ts
 * import { parseDetectNdjson } from "./detect_ndjson.ts";
 * const line = JSON.stringify({ image: "a.jpg", width: 99, height: 99, faces: [
 *   { box: [10, 20, 30, 40], confidence: 0.99 },
 * ] });
 * const r = parseDetectNdjson(line + "\n", "faces.ndjson");
 * console.log(r._tag === "Right" && r.right[0].faces[0].box); // [10, 20, 40, 60]
 * ```
 */
export const parseDetectNdjson = (
  text: string,
  file: string,
): Result<MtcnnError, JsonImage[]> => {
  const out: JsonImage[] = [];
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const bad = (m: string) => E.left(mtcnnError("FormatError", `${file}:${i + 1}: ${m}`));
    let j: { image?: unknown; faces?: unknown };
    try {
      j = JSON.parse(line);
    } catch (e) {
      return E.left(mtcnnError("FormatError", `${file}:${i + 1}: not valid JSON`, e));
    }
    if (typeof j !== "object" || j === null || Array.isArray(j)) {
      return bad("not a JSON object");
    }
    if (typeof j.image !== "string" || j.image === "") return bad(`no "image" path`);
    if (!Array.isArray(j.faces)) return bad(`${j.image}: "faces" must be an array`);
    const faces: JsonFace[] = [];
    for (const [k, fa] of (j.faces as unknown[]).entries()) {
      const f = fa as { box?: unknown; keypoints?: unknown } | null;
      const b = f?.box;
      if (!Array.isArray(b) || b.length !== 4 || !b.every(isNum) || !(b[2] > 0 && b[3] > 0)) {
        return bad(`${j.image}: face ${k}: "box" must be [x, y, width, height] with sizes > 0`);
      }
      const box = [b[0], b[1], b[0] + b[2], b[1] + b[3]] as const;
      if (f?.keypoints === undefined) {
        faces.push({ box });
        continue;
      }
      const kp = f.keypoints as Record<string, unknown> | null;
      const pts = KEYPOINTS.map((n) => kp?.[n]);
      if (!pts.every(isPoint)) {
        return bad(`${j.image}: face ${k}: "keypoints" needs ${KEYPOINTS.join(", ")} as [x, y]`);
      }
      faces.push({ box, landmarks: pts as unknown as JsonFace["landmarks"] });
    }
    out.push({ path: j.image, faces });
  }
  return E.right(out);
};
