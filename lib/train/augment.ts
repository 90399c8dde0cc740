/**
 * Horizontal mirroring of a training sample, with its targets mirrored to match: box offsets
 * swap sides and change sign, landmark x becomes 1 - x and the left / right points swap (the
 * landmark order is by image side).
 *
 * @module
 */

/** Landmark index after mirroring: left eye <-> right eye, nose, mouth left <-> right. */
const MIRROR = [1, 0, 2, 4, 3] as const;

/**
 * Mirrors sample `i` of a host batch in place: pixels (side x side x 3, row-major), 4 box
 * offsets and 10 landmarks (x1..x5, y1..y5). Landmarks of non-landmark samples are zeros and
 * are left as they are.
 *
 * @example
 * ```ts
 * import { mirrorSample } from "@mtcnn/mtcnn/train";
 * const img = new Float32Array(12 * 12 * 3);
 * const box = new Float32Array([0.1, 0, -0.2, 0]);
 * mirrorSample(img, box, new Float32Array(10), -1, 12, 0);
 * console.log(Array.from(box)); // [0.2, 0, -0.1, 0] (approximately)
 * ```
 */
export const mirrorSample = (
  images: Float32Array,
  box: Float32Array,
  landmarks: Float32Array,
  label: number,
  side: number,
  i: number,
): void => {
  const px = side * side * 3;
  const base = i * px;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side >> 1; x++) {
      const a = base + (y * side + x) * 3;
      const b = base + (y * side + side - 1 - x) * 3;
      for (let c = 0; c < 3; c++) {
        const t = images[a + c];
        images[a + c] = images[b + c];
        images[b + c] = t;
      }
    }
  }
  const o = i * 4;
  const [x1, x2] = [box[o], box[o + 2]];
  box[o] = -x2;
  box[o + 2] = -x1;
  if (label !== -2) return;
  const l = i * 10;
  const old = landmarks.slice(l, l + 10);
  for (let k = 0; k < 5; k++) {
    landmarks[l + k] = 1 - old[MIRROR[k]];
    landmarks[l + 5 + k] = old[5 + MIRROR[k]];
  }
};
