/**
 * Turning stored pixels upright by their EXIF orientation, so that detections come out in the
 * coordinates of the image as it is displayed.
 *
 * @module
 */
import type { Orientation } from "./exif.ts";
import type { RgbImage } from "./image.ts";

/**
 * The displayed image of stored pixels with the given EXIF orientation (a new image; the input
 * is not changed; orientation 1 returns the input itself). Orientations 5 to 8 swap width and
 * height. Displayed pixel (x, y) comes from the stored pixel the EXIF table names: e.g. for 6
 * the stored first row is the displayed right-hand column.
 */
export const orientRgb = (img: RgbImage, orientation: Orientation): RgbImage => {
  if (orientation === 1) return img;
  const { width: w, height: h, data: src } = img;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(w * h * 3);
  // Stored position of displayed (x, y) = origin + x * dx + y * dy, as offsets into `src`.
  const px = (x: number, y: number) => (y * w + x) * 3;
  const [origin, dx, dy] = ((): [number, number, number] => {
    switch (orientation) {
      case 2:
        return [px(w - 1, 0), -3, 3 * w];
      case 3:
        return [px(w - 1, h - 1), -3, -3 * w];
      case 4:
        return [px(0, h - 1), 3, -3 * w];
      case 5:
        return [px(0, 0), 3 * w, 3];
      case 6:
        return [px(0, h - 1), -3 * w, 3];
      case 7:
        return [px(w - 1, h - 1), -3 * w, -3];
      default: // 8
        return [px(w - 1, 0), 3 * w, -3];
    }
  })();
  let o = 0;
  for (let y = 0; y < oh; y++) {
    let s = origin + y * dy;
    for (let x = 0; x < ow; x++, s += dx, o += 3) {
      out[o] = src[s];
      out[o + 1] = src[s + 1];
      out[o + 2] = src[s + 2];
    }
  }
  return { width: ow, height: oh, data: out };
};
