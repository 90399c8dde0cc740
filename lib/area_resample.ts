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
   * (images up to about 16.8 megapixels), 64-bit floats (exact to 2^53) above. For a table with
   * `pixels`, computed on its first read in each thread (see there).
   */
  readonly sums: Uint32Array | Float64Array;
  /**
   * Names a table in shared memory across threads (each message to a worker brings its own copy
   * of this object, over the same memory): a worker that keeps a copy of the table in its wasm
   * heap knows it by this. Set by {@linkcode summedAreaTable} for shared tables.
   */
  readonly id?: string;
  /**
   * A shared table's image, packed RGB in shared memory: the table is built where it is used
   * rather than sent. `sums` is then not an own enumerable property (a message does not carry
   * it): each thread computes it on its first read, and a net worker that cuts pixels in
   * WebAssembly builds only the rows it reads, in its heap, never reading `sums`. Set by
   * {@linkcode summedAreaTable} for shared tables of up to {@linkcode MAX_HEAP_TABLE_BYTES};
   * {@linkcode receivedTable} restores the read of a table that came in a message.
   */
  readonly pixels?: Uint8Array;
}

/**
 * The largest table (in bytes of 32-bit sums, about 5.6 megapixels) that a thread builds or
 * copies into a wasm heap, which never shrinks: larger shared tables are built once, in shared
 * memory, by the thread that loads the image.
 */
export const MAX_HEAP_TABLE_BYTES = 64 * 2 ** 20;

/**
 * A shared table built where it is read: `sums` computed from `pixels` on the first read in this
 * thread (the same sums as {@linkcode summedAreaTable}'s), not an own enumerable property.
 */
const tableFromPixels = (
  width: number,
  height: number,
  pixels: Uint8Array,
  id: string,
): SummedAreaTable => {
  const table = { width, height, id, pixels } as SummedAreaTable;
  let sums: Uint32Array | Float64Array | undefined;
  Object.defineProperty(table, "sums", {
    enumerable: false,
    get: () => (sums ??= summedAreaTable({ width, height, data: pixels }).sums),
  });
  return table;
};

/**
 * A table as a message brought it: one built where it is read (with `pixels`, without `sums`)
 * gets its read of `sums` back; any other is returned as it is.
 */
export const receivedTable = (sat: SummedAreaTable): SummedAreaTable => {
  const { width, height, pixels, id } = sat;
  // `in`, not a read: a table built where it is read computes its sums on a read.
  const hasSums = "sums" in sat;
  return pixels !== undefined && id !== undefined && !hasSums
    ? tableFromPixels(width, height, pixels, id)
    : sat;
};

/** Whether a table is shared between threads (read from shared memory, or built where read). */
export const isSharedTable = (sat: SummedAreaTable): boolean =>
  sat.pixels !== undefined ||
  (typeof SharedArrayBuffer !== "undefined" && sat.sums.buffer instanceof SharedArrayBuffer);

/** This thread's tag for table ids (random, so that ids made in different threads differ). */
let idTag = "";
let idCount = 0;
const nextId = (): string => {
  if (!idTag) {
    const r = new Uint32Array(2);
    crypto.getRandomValues(r);
    idTag = `${r[0].toString(36)}${r[1].toString(36)}`;
  }
  return `${idTag}:${++idCount}`;
};

/** 127.5 and 1/128: MTCNN's input normalization. */
const MEAN = 127.5;
const SCALE = 0.0078125;

/**
 * Builds the summed-area table of an RGB image. With `shared`, a table that workers read
 * without a copy: up to {@linkcode MAX_HEAP_TABLE_BYTES}, the pixels in a SharedArrayBuffer and
 * the sums built where they are read (`pixels`); larger, the sums in a SharedArrayBuffer.
 */
export const summedAreaTable = (img: RgbImage, shared = false): SummedAreaTable => {
  const { width: w, height: h, data } = img;
  const stride = (w + 1) * 3;
  const n = (h + 1) * stride;
  const Sums = 255 * w * h < 2 ** 32 ? Uint32Array : Float64Array;
  const bytes = Sums.BYTES_PER_ELEMENT * n;
  if (shared && Sums === Uint32Array && bytes <= MAX_HEAP_TABLE_BYTES) {
    // The pixels go to shared memory (a quarter of the table's bytes); each thread builds what
    // it reads.
    const pixels = new Uint8Array(new SharedArrayBuffer(w * h * 3));
    pixels.set(data.subarray(0, w * h * 3));
    return tableFromPixels(w, h, pixels, nextId());
  }
  const buffer = (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)) as ArrayBuffer;
  const sums = new Sums(buffer);
  // One running index per array (no products per pixel): about a quarter faster than indexing
  // each entry from x and y, with the same sums.
  for (let y = 0; y < h; y++) {
    let r = 0, g = 0, b = 0;
    let s = y * w * 3;
    let a = y * stride + 3;
    let o = a + stride;
    const end = s + w * 3;
    while (s < end) {
      r += data[s];
      g += data[s + 1];
      b += data[s + 2];
      sums[o] = sums[a] + r;
      sums[o + 1] = sums[a + 1] + g;
      sums[o + 2] = sums[a + 2] + b;
      s += 3;
      a += 3;
      o += 3;
    }
  }
  return shared ? { width: w, height: h, sums, id: nextId() } : { width: w, height: h, sums };
};

/** Scratch of areaResample, grown as needed: per output column, clamped window ends and sizes. */
let colScratch = new Int32Array(0);

/**
 * Area-resamples the rectangle [x0, x0 + w) x [y0, y0 + h) of the image to outW x outH and
 * writes normalized RGB into `out` at `offset`. Parts of the rectangle outside the image count
 * as mid grey (0 after normalization), as zero padding of the normalized image does.
 *
 * Output pixel (i, j) averages rows floor(i * h / outH) .. ceil((i + 1) * h / outH) - 1 and the
 * columns likewise. The sums are exact integers, so only the division and the normalization
 * round; the column windows are computed once per call, the rows as they come (this loop is most
 * of crop cutting and of PNet's level pixels, bench/detect_profile.ts).
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
  if (colScratch.length < 4 * outW) colScratch = new Int32Array(4 * outW);
  // Per column: 3 * clamped start, 3 * clamped end, window width, width inside the image.
  const cols = colScratch;
  for (let j = 0; j < outW; j++) {
    const a = Math.floor((j * w) / outW), b = Math.ceil(((j + 1) * w) / outW);
    const xa = Math.min(Math.max(x0 + a, 0), W), xb = Math.min(Math.max(x0 + b, 0), W);
    cols[4 * j] = 3 * xa;
    cols[4 * j + 1] = 3 * xb;
    cols[4 * j + 2] = b - a;
    cols[4 * j + 3] = xb - xa;
  }
  let o = offset;
  for (let i = 0; i < outH; i++) {
    const ra = y0 + Math.floor((i * h) / outH), rb = y0 + Math.ceil(((i + 1) * h) / outH);
    const ya = Math.min(Math.max(ra, 0), H), yb = Math.min(Math.max(rb, 0), H);
    const rowsIn = yb - ya, rowsAll = rb - ra;
    const top = ya * stride, bottom = yb * stride;
    for (let j = 0; j < 4 * outW; j += 4) {
      const xa = cols[j], xb = cols[j + 1];
      const area = rowsAll * cols[j + 2];
      const grey = (area - rowsIn * cols[j + 3]) * MEAN;
      const a = top + xa, b = top + xb, c = bottom + xa, d = bottom + xb;
      out[o] = (((sums[d] - sums[b]) - (sums[c] - sums[a]) + grey) / area - MEAN) * SCALE;
      out[o + 1] =
        (((sums[d + 1] - sums[b + 1]) - (sums[c + 1] - sums[a + 1]) + grey) / area - MEAN) * SCALE;
      out[o + 2] =
        (((sums[d + 2] - sums[b + 2]) - (sums[c + 2] - sums[a + 2]) + grey) / area - MEAN) * SCALE;
      o += 3;
    }
  }
};
