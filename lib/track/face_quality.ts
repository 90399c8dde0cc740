/**
 * How good a view of a face a detection is, to pick each track's best frame (for one aligned
 * crop per face instead of one per frame).
 *
 * @module
 */
import type { BoxFormat, Face } from "../face.ts";

/**
 * A score that is higher for a more confident, larger and more frontal face: confidence x box
 * side (sqrt of the area, in pixels) x frontality, where frontality is 1 when the nose is midway
 * between the eyes and falls linearly to 0.1 as it moves half the eye distance to one side
 * (a turned head); 1 without landmarks.
 *
 * @example
 * ```ts
 * import { faceQuality } from "./face_quality.ts";
 * console.log(faceQuality({ box: [0, 0, 40, 40], confidence: 0.5 })); // 20
 * ```
 */
export const faceQuality = (face: Face, boxFormat: BoxFormat = "xywh"): number => {
  const [x, y, a, b] = face.box;
  const w = boxFormat === "xyxy" ? a - x : a, h = boxFormat === "xyxy" ? b - y : b;
  const side = Math.sqrt(Math.max(0, w) * Math.max(0, h));
  const k = face.keypoints;
  let frontality = 1;
  if (k) {
    const eyes = Math.hypot(k.right_eye[0] - k.left_eye[0], k.right_eye[1] - k.left_eye[1]);
    const mid = (k.left_eye[0] + k.right_eye[0]) / 2;
    const off = eyes > 0 ? Math.abs(k.nose[0] - mid) / eyes : 1;
    frontality = Math.max(0.1, 1 - 2 * off);
  }
  return face.confidence * side * frontality;
};
