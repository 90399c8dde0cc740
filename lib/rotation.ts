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
 * Where point (u, v) of the image turned by `angle` lies in the original `width` x `height`
 * image, in continuous coordinates (pixel (i, j) spans [i, i + 1) x [j, j + 1)).
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
      return (u, v) => [v, height - u];
    case 180:
      return (u, v) => [width - u, height - v];
    case 270:
      return (u, v) => [width - v, u];
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
      // The pixel whose centre the turned pixel's centre comes from.
      const [cx, cy] = from(u + 0.5, v + 0.5);
      const s = (Math.floor(cy) * w + Math.floor(cx)) * 3, d = (v * tw + u) * 3;
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { width: tw, height: th, data: out };
};

/**
 * Candidates found on the image turned by `angle`, in the coordinates of the original `width` x
 * `height` image. Boxes are mapped as continuous coordinates (pixel (i, j) spans [i, i + 1) x
 * [j, j + 1)): the detector's boxes follow that convention (a mirror image's faces mapped back
 * that way land within 0.04 px of the upright ones on average, `wider_val_416`), as do boxes
 * turned with the image (`scripts/make_rotated_wider.ts`). Landmarks are pixel positions (pixel
 * (i, j) at (i, j)), as `alignFace` reads them, so a turned face aligns like the upright one.
 * Landmark names are kept: `left_eye` stays the eye on the left of the upright face. Regression
 * offsets are dropped.
 *
 * @example
 * ```ts
 * import { unrotateCandidates } from "@mtcnn/mtcnn/stages";
 * // The top-left pixel of a 10x4 image turned by 90 (4 wide, 10 high).
 * const c = { count: 1, boxes: Float64Array.of(0, 0, 1, 1), scores: Float64Array.of(1) };
 * console.log(unrotateCandidates(c, 90, 10, 4).boxes); // Float64Array [0, 3, 1, 4]
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
    const [ax, ay] = from(c.boxes[j], c.boxes[j + 1]);
    const [bx, by] = from(c.boxes[j + 2], c.boxes[j + 3]);
    boxes[j] = Math.min(ax, bx);
    boxes[j + 1] = Math.min(ay, by);
    boxes[j + 2] = Math.max(ax, bx);
    boxes[j + 3] = Math.max(ay, by);
  }
  let landmarks: Float64Array | undefined;
  if (c.landmarks) {
    landmarks = new Float64Array(10 * c.count);
    for (let k = 0; k < 5 * c.count; k++) {
      const [x, y] = from(c.landmarks[2 * k] + 0.5, c.landmarks[2 * k + 1] + 0.5);
      landmarks[2 * k] = x - 0.5;
      landmarks[2 * k + 1] = y - 0.5;
    }
  }
  return { ...c, boxes, landmarks, offsets: undefined };
};
