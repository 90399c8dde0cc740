/**
 * Area-averaging resampling from a summed-area table, matching PyTorch's
 * `interpolate(mode="area")` (adaptive average pooling) that the reference implementation uses
 * for its pyramid and crops: output pixel i averages input pixels floor(i * in / out) to
 * ceil((i + 1) * in / out) - 1. One table serves every pyramid level and every crop at a cost
 * of four lookups per output value. Values come out normalized: (x - 127.5) / 128.
 *
 * @module
 */
import type { RgbImage } from "./image.ts";

/** Per-channel integral image: `sums[((y * (width + 1)) + x) * 3 + c]` = sum of rows < y, cols < x. */
export interface SummedAreaTable {
  /** Image width. */
  readonly width: number;
  /** Image height. */
  readonly height: number;
  /**
   * (height + 1) * (width + 1) * 3 exact integer sums: 32-bit while 255 * width * height fits
   * (images up to about 16.8 megapixels), 64-bit floats (exact to 2^53) above.
   */
  readonly sums: Uint32Array | Float64Array;
}

/** 127.5 and 1/128: MTCNN's input normalization. */
const MEAN = 127.5;
const SCALE = 0.0078125;

/**
 * Builds the summed-area table of an RGB image; with `shared`, in a SharedArrayBuffer that
 * workers can read without a copy.
 */
export const summedAreaTable = (img: RgbImage, shared = false): SummedAreaTable => {
  const { width: w, height: h, data } = img;
  const stride = (w + 1) * 3;
  const n = (h + 1) * stride;
  const Sums = 255 * w * h < 2 ** 32 ? Uint32Array : Float64Array;
  const bytes = Sums.BYTES_PER_ELEMENT * n;
  const buffer = (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)) as ArrayBuffer;
  const sums = new Sums(buffer);
  for (let y = 0; y < h; y++) {
    let r = 0, g = 0, b = 0;
    const src = y * w * 3;
    const above = y * stride;
    const row = (y + 1) * stride;
    for (let x = 0; x < w; x++) {
      r += data[src + 3 * x];
      g += data[src + 3 * x + 1];
      b += data[src + 3 * x + 2];
      const o = row + 3 * (x + 1);
      sums[o] = sums[above + 3 * (x + 1)] + r;
      sums[o + 1] = sums[above + 3 * (x + 1) + 1] + g;
      sums[o + 2] = sums[above + 3 * (x + 1) + 2] + b;
    }
  }
  return { width: w, height: h, sums };
};

/** Window starts and ends of adaptive average pooling from `n` inputs to `m` outputs. */
const windows = (n: number, m: number): Int32Array => {
  const out = new Int32Array(2 * m);
  for (let i = 0; i < m; i++) {
    out[2 * i] = Math.floor((i * n) / m);
    out[2 * i + 1] = Math.ceil(((i + 1) * n) / m);
  }
  return out;
};

/**
 * Area-resamples the rectangle [x0, x0 + w) x [y0, y0 + h) of the image to outW x outH and
 * writes normalized RGB into `out` at `offset`. Parts of the rectangle outside the image count
 * as mid grey (0 after normalization), as zero padding of the normalized image does.
 */
export const areaResample = (
  sat: SummedAreaTable,
  x0: number,
  y0: number,
  w: number,
  h: number,
  outW: number,
  outH: number,
  out: Float32Array,
  offset = 0,
): void => {
  const { width: W, height: H, sums } = sat;
  const stride = (W + 1) * 3;
  const cols = windows(w, outW);
  const rows = windows(h, outH);
  const cx = new Int32Array(2 * outW);
  for (let j = 0; j < 2 * outW; j++) cx[j] = Math.min(Math.max(x0 + cols[j], 0), W);
  let o = offset;
  for (let i = 0; i < outH; i++) {
    const ra = y0 + rows[2 * i], rb = y0 + rows[2 * i + 1];
    const ya = Math.min(Math.max(ra, 0), H), yb = Math.min(Math.max(rb, 0), H);
    const rowsIn = yb - ya;
    const top = ya * stride, bottom = yb * stride;
    for (let j = 0; j < outW; j++) {
      const xa = cx[2 * j], xb = cx[2 * j + 1];
      const area = (rb - ra) * (cols[2 * j + 1] - cols[2 * j]);
      const outside = area - rowsIn * (xb - xa);
      const a = top + 3 * xa, b = top + 3 * xb, c = bottom + 3 * xa, d = bottom + 3 * xb;
      for (let ch = 0; ch < 3; ch++) {
        const inside = sums[d + ch] - sums[b + ch] - sums[c + ch] + sums[a + ch];
        out[o++] = ((inside + outside * MEAN) / area - MEAN) * SCALE;
      }
    }
  }
};
