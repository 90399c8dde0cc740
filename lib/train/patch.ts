/**
 * Cutting a training sample out of an image: a square crop resized to the net's input side by
 * area averaging (each output pixel is the mean of the input pixels its window covers, as
 * PyTorch's adaptive average pooling, which the detection parity target uses).
 *
 * @module
 */
import type { RgbImage } from "../image.ts";
import type { Crop } from "./samples.ts";

const windows = (start: number, len: number, out: number): Int32Array => {
  const w = new Int32Array(out * 2);
  for (let i = 0; i < out; i++) {
    w[i * 2] = start + Math.floor((i * len) / out);
    w[i * 2 + 1] = start + Math.ceil(((i + 1) * len) / out);
  }
  return w;
};

/**
 * The pixels of `crop` resized to `side` x `side`, packed RGB bytes (rounded means). Pixels of
 * the crop outside the image count as 0 (black), which sampling avoids by keeping crops inside.
 */
export const cropPatch = (img: RgbImage, crop: Crop, side: number): Uint8Array => {
  const out = new Uint8Array(side * side * 3);
  const wy = windows(crop.y, crop.size, side);
  const wx = windows(crop.x, crop.size, side);
  const { width, height, data } = img;
  for (let oy = 0; oy < side; oy++) {
    const y0 = wy[oy * 2];
    const y1 = wy[oy * 2 + 1];
    for (let ox = 0; ox < side; ox++) {
      const x0 = wx[ox * 2];
      const x1 = wx[ox * 2 + 1];
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
        let k = (y * width + Math.max(0, x0)) * 3;
        for (let x = Math.max(0, x0); x < Math.min(width, x1); x++, k += 3) {
          r += data[k];
          g += data[k + 1];
          b += data[k + 2];
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (oy * side + ox) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return out;
};
