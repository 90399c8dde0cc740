/**
 * Area downscaling of an over-large image to fit a pixel budget, straight from the decoder's
 * RGBA (or RGB) bitmap, streaming one source row at a time so that no full-size copy is made.
 * Each output pixel averages the source area it covers (fractional edges weighted), like
 * OpenCV's INTER_AREA, so that faces keep their appearance at the smaller scale.
 *
 * @module
 */
import type { ImageSize } from "./image_header.ts";
import type { RgbImage } from "./image.ts";

/**
 * The largest size with the aspect ratio of `width` x `height` (each side rounded down, at least
 * 1) that holds at most `maxPixels` pixels; the size itself when it already fits.
 */
export const fitToPixels = (width: number, height: number, maxPixels: number): ImageSize => {
  if (width * height <= maxPixels) return { width, height };
  const s = Math.sqrt(maxPixels / (width * height));
  let w = Math.max(1, Math.floor(width * s));
  let h = Math.max(1, Math.floor(height * s));
  while (w * h > maxPixels && (w > 1 || h > 1)) w >= h ? w-- : h--;
  return { width: w, height: h };
};

/** Per source index: first output cell, its weight, and the weight of the next cell. */
const spans = (n: number, m: number): { cell: Int32Array; w0: Float64Array; w1: Float64Array } => {
  const s = m / n;
  const cell = new Int32Array(n), w0 = new Float64Array(n), w1 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = i * s, b = (i + 1) * s;
    const j = Math.min(m - 1, Math.floor(a));
    cell[i] = j;
    w0[i] = Math.min(b, j + 1) - a;
    w1[i] = j + 1 < m ? Math.max(0, b - (j + 1)) : 0;
  }
  return { cell, w0, w1 };
};

/**
 * Area-downscales `channels`-interleaved 8-bit pixels (3 = RGB, 4 = RGBA, alpha dropped) of
 * `width` x `height` to packed RGB of `outWidth` x `outHeight` (each no larger than the input).
 * Output pixel (x, y) covers source [x * width / outWidth, (x + 1) * width / outWidth), so a
 * point maps back by multiplying by width / outWidth (and height / outHeight).
 */
export const areaDownscale = (
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  channels: 3 | 4,
  outWidth: number,
  outHeight: number,
): RgbImage => {
  const xs = spans(width, outWidth), ys = spans(height, outHeight);
  const data = new Uint8Array(outWidth * outHeight * 3);
  const row = new Float64Array(outWidth * 3);
  let acc = new Float64Array(outWidth * 3), next = new Float64Array(outWidth * 3);
  let accW = 0, nextW = 0, current = 0;
  const flush = () => {
    for (let k = 0; k < acc.length; k++) {
      data[current * outWidth * 3 + k] = Math.min(255, Math.round(acc[k] / accW));
    }
    [acc, next] = [next, acc];
    next.fill(0);
    accW = nextW;
    nextW = 0;
    current++;
  };
  for (let y = 0; y < height; y++) {
    row.fill(0);
    const base = y * width * channels;
    for (let x = 0; x < width; x++) {
      const s = base + x * channels, j = xs.cell[x] * 3, a = xs.w0[x], b = xs.w1[x];
      for (let c = 0; c < 3; c++) {
        row[j + c] += a * pixels[s + c];
        if (b > 0) row[j + 3 + c] += b * pixels[s + c];
      }
    }
    // Row weights are in output-column units; each output column gets a total of 1.
    if (ys.cell[y] > current) flush();
    const a = ys.w0[y], b = ys.w1[y];
    for (let k = 0; k < row.length; k++) {
      acc[k] += a * row[k];
      if (b > 0) next[k] += b * row[k];
    }
    accW += a;
    nextW += b;
  }
  while (current < outHeight) flush();
  return { width: outWidth, height: outHeight, data };
};
