/**
 * Quarter-turn rotations of an image and of the faces found on it: the geometry behind the
 * `rotations` option. An angle is how far the image is turned clockwise before detection; a
 * face found upright at angle 90 has its top towards the left of the original image.
 *
 * @module
 */
import type { Candidates } from "./candidates.ts";
import type { RgbImage } from "./image.ts";

/** Clockwise quarter turns of the image, in degrees. */
export type Rotation = 0 | 90 | 180 | 270;

/** The angles the `rotations` option accepts. */
export const ROTATIONS: readonly Rotation[] = [0, 90, 180, 270];

/** True for 0, 90, 180 and 270. */
export const isRotation = (a: unknown): a is Rotation => ROTATIONS.includes(a as Rotation);

/**
 * Where pixel (u, v) of the image turned by `angle` comes from in the original `width` x
 * `height` image (0-based pixel coordinates; also maps landmarks back).
 */
const fromTurned = (
  angle: Rotation,
  width: number,
  height: number,
): (u: number, v: number) => [number, number] => {
  switch (angle) {
    case 0:
      return (u, v) => [u, v];
    case 90:
      return (u, v) => [v, height - 1 - u];
    case 180:
      return (u, v) => [width - 1 - u, height - 1 - v];
    case 270:
      return (u, v) => [width - 1 - v, u];
  }
};

/**
 * The image turned clockwise by `angle` (a new image; the input is not changed). At 90 and
 * 270 width and height swap.
 *
 * @example
 * ```ts
 * import { rotateImage } from "@mtcnn/mtcnn/stages";
 * const img = { width: 2, height: 1, data: Uint8Array.of(1, 1, 1, 2, 2, 2) };
 * const r = rotateImage(img, 90);
 * console.log(r.width, r.height, r.data[0], r.data[3]); // 1 2 1 2
 * ```
 */
export const rotateImage = (img: RgbImage, angle: Rotation): RgbImage => {
  const { width: w, height: h, data } = img;
  if (angle === 0) return img;
  const [tw, th] = angle === 180 ? [w, h] : [h, w];
  const from = fromTurned(angle, w, h);
  const out = new Uint8Array(data.length);
  for (let v = 0; v < th; v++) {
    for (let u = 0; u < tw; u++) {
      const [x, y] = from(u, v);
      const s = (y * w + x) * 3, d = (v * tw + u) * 3;
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { width: tw, height: th, data: out };
};

/**
 * Candidates found on the image turned by `angle`, in the coordinates of the original `width` x
 * `height` image. Landmarks are 0-based points; a box [x1, y1, x2, y2] covers the 0-based pixels
 * x1 - 1 .. x2 - 1 (the reference's crop convention, as the mirror image's faces are mapped).
 * Landmark names are kept: `left_eye` stays the eye on the left of the upright face. Regression
 * offsets are dropped.
 *
 * @example
 * ```ts
 * import { unrotateCandidates } from "@mtcnn/mtcnn/stages";
 * // A 1-pixel box at the top-left of a 10x4 image turned by 90 (4 wide, 10 high).
 * const c = { count: 1, boxes: Float64Array.of(1, 1, 1, 1), scores: Float64Array.of(1) };
 * console.log(unrotateCandidates(c, 90, 10, 4).boxes); // Float64Array [1, 4, 1, 4]
 * ```
 */
export const unrotateCandidates = (
  c: Candidates,
  angle: Rotation,
  width: number,
  height: number,
): Candidates => {
  if (angle === 0) return { ...c, offsets: undefined };
  const from = fromTurned(angle, width, height);
  const boxes = new Float64Array(4 * c.count);
  for (let i = 0; i < c.count; i++) {
    const j = 4 * i;
    const [ax, ay] = from(c.boxes[j] - 1, c.boxes[j + 1] - 1);
    const [bx, by] = from(c.boxes[j + 2] - 1, c.boxes[j + 3] - 1);
    boxes[j] = Math.min(ax, bx) + 1;
    boxes[j + 1] = Math.min(ay, by) + 1;
    boxes[j + 2] = Math.max(ax, bx) + 1;
    boxes[j + 3] = Math.max(ay, by) + 1;
  }
  let landmarks: Float64Array | undefined;
  if (c.landmarks) {
    landmarks = new Float64Array(10 * c.count);
    for (let k = 0; k < 5 * c.count; k++) {
      const [x, y] = from(c.landmarks[2 * k], c.landmarks[2 * k + 1]);
      landmarks[2 * k] = x;
      landmarks[2 * k + 1] = y;
    }
  }
  return { ...c, boxes, landmarks, offsets: undefined };
};
