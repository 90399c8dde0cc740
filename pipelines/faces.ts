/**
 * From the last stage's candidates to the public {@linkcode Face} results.
 *
 * @module
 */
import type { Candidates } from "../lib/candidates.ts";
import { type Face, KEYPOINT_NAMES, type Keypoints, type Point } from "../lib/face.ts";
import type { ResolvedOptions } from "./options.ts";

/**
 * Faces in the coordinates of an image `1 / sx` times as wide and `1 / sy` times as high: faces
 * found on a downscaled copy (`loadScaledImage`), mapped back to the full-size image.
 */
export const rescaleFaces = (faces: readonly Face[], sx: number, sy: number): Face[] =>
  faces.map((f) => {
    const [a, b, c, d] = f.box;
    const box: [number, number, number, number] = [a / sx, b / sy, c / sx, d / sy];
    const turned = f.rotation === undefined ? {} : { rotation: f.rotation };
    if (!f.keypoints) return { box, confidence: f.confidence, ...turned };
    const keypoints = Object.fromEntries(
      Object.entries(f.keypoints).map(([k, p]) => [k, [p[0] / sx, p[1] / sy] as Point]),
    ) as unknown as Keypoints;
    return { box, confidence: f.confidence, keypoints, ...turned };
  });

/** Faces from candidates, in the options' box format, clipped to the image when asked. */
export const candidatesToFaces = (
  c: Candidates,
  width: number,
  height: number,
  options: Pick<ResolvedOptions, "boxFormat" | "clip">,
): Face[] => {
  const faces: Face[] = [];
  for (let i = 0; i < c.count; i++) {
    let x1 = c.boxes[4 * i], y1 = c.boxes[4 * i + 1];
    let x2 = c.boxes[4 * i + 2], y2 = c.boxes[4 * i + 3];
    if (options.clip) {
      x1 = Math.min(Math.max(x1, 0), width);
      y1 = Math.min(Math.max(y1, 0), height);
      x2 = Math.min(Math.max(x2, 0), width);
      y2 = Math.min(Math.max(y2, 0), height);
    }
    const box: [number, number, number, number] = options.boxFormat === "xyxy"
      ? [x1, y1, x2, y2]
      : [x1, y1, x2 - x1, y2 - y1];
    const lm = c.landmarks;
    const turned = c.rotations ? { rotation: c.rotations[i] } : {};
    if (!lm) {
      faces.push({ box, confidence: c.scores[i], ...turned });
      continue;
    }
    const keypoints = Object.fromEntries(
      KEYPOINT_NAMES.map((k, j) => [k, [lm[10 * i + 2 * j], lm[10 * i + 2 * j + 1]] as Point]),
    ) as unknown as Keypoints;
    faces.push({ box, confidence: c.scores[i], keypoints, ...turned });
  }
  return faces.sort((a, b) => b.confidence - a.confidence);
};
