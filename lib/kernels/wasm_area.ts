/**
 * Area resampling (lib/area_resample.ts's `areaResample`) in WebAssembly SIMD, run in tfjs's wasm
 * backend's own memory: PNet's pyramid levels and RNet's / ONet's crops are cut from a copy of the
 * image's summed-area table in the heap straight into the nets' input tensor
 * (scripts/kernels/area.ts). The same operations in the same order in f64, so the same float32
 * bits as the JS function, which still runs everywhere else: other backends, tables of 64-bit
 * sums or over `MAX_HEAP_TABLE_BYTES` (lib/area_resample.ts; the heap never shrinks), shared
 * tables without an id, rectangles that are not whole pixels.
 *
 * Shared tables are those of a detector with net workers, where every message brings its own
 * table object: their copy is known by the table's `id` (set by `summedAreaTable` for shared
 * tables), so a worker makes an image's copy once, not once per message; a shared table without
 * an id is cut in JS. A shared table with `pixels` (built where it is read) is built in the heap
 * from the image's pixels by the same module's `satRows` (the same sums as the JS builder's, in
 * 32-bit integers), rows from the top down to the lowest row a cut reads: neither the thread
 * that loaded the image nor this one computes the table in JS, and no table goes through shared
 * memory (measured: the main thread's CPU on 200 `wider_val_416` images 0.74 -> 0.54 s).
 *
 * The copies: up to two per backend (the tables last used), reused from image to image (their
 * allocations grown as needed), rows copied as rectangles need them. A table must not change after it is built
 * (none does: the load stage builds one per image).
 *
 * @module
 */
import { MAX_HEAP_TABLE_BYTES, type SummedAreaTable } from "../area_resample.ts";
import { decodeBase64 } from "../base64.ts";
import { AREA_WASM } from "./area_wasm_data.ts";
import type { WasmBackendLike } from "./instance.ts";

type AreaFn = (
  sums: number,
  width: number,
  height: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  outW: number,
  outH: number,
  out: number,
  cols: number,
) => void;

/** `satRows(rgb, W, r0, r1, table)`: rows r0 to r1 - 1 (r0 >= 1) of a table (scripts/kernels/area.ts). */
type SatRowsFn = (rgb: number, width: number, r0: number, r1: number, table: number) => void;

/**
 * Cuts the rectangle [x0, x0 + w) x [y0, y0 + h) to outW x outH at heap byte offset `out`; false
 * (nothing written) for a rectangle it does not take.
 */
export type AreaCut = (
  x0: number,
  y0: number,
  w: number,
  h: number,
  outW: number,
  outH: number,
  out: number,
) => boolean;

/** Image rows copied into the heap at a time to build a table's rows from its pixels. */
const BUILD_ROWS = 32;

/** A heap copy of a table: the table's serial number or id (0: none), rows [lo, hi) of it. */
interface TableCopy {
  table: number | string;
  lo: number;
  hi: number;
  /** The copy's allocation and its size in bytes (0: none). */
  ptr: number;
  bytes: number;
}

/**
 * Tables kept in the heap at once: a net worker has two images in flight, whose messages
 * alternate (with one copy, about half of a worker's calls copied a table again).
 */
const COPIES = 2;

/**
 * Tables of more bytes than this (about 0.7 megapixels) are kept alone: the second copy saves
 * little next to such an image's detection time, and the heap never shrinks.
 */
const SECOND_COPY_BYTES = 8 * 2 ** 20;

/** The kernel and its heap copies of tables, per wasm memory. */
interface AreaHeap {
  readonly f: AreaFn;
  readonly satRows: SatRowsFn;
  readonly memory: WebAssembly.Memory;
  /** Most recently used first. */
  readonly copies: TableCopy[];
  /** Scratch for the column windows: 24 bytes per output column. */
  cols: number;
  colsBytes: number;
  /** Scratch for image rows a table is built from. */
  rgb: number;
  rgbBytes: number;
}

const heaps = new WeakMap<WebAssembly.Memory, AreaHeap | null>();

/**
 * Tables by serial number: a copy is known by its table's number, which holds no reference to
 * the table (a WeakRef made each table outlive V8's minor collections: the load stage's next
 * table then took half as long again).
 */
const serials = new WeakMap<Uint32Array, number>();
let lastSerial = 0;
const serialOf = (sums: Uint32Array): number => {
  let n = serials.get(sums);
  if (n === undefined) serials.set(sums, n = ++lastSerial);
  return n;
};

const memoryOf = (backend: WasmBackendLike): WebAssembly.Memory | undefined => {
  const m = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  return m instanceof WebAssembly.Memory ? m : undefined;
};

const heapOf = (backend: WasmBackendLike): AreaHeap | null => {
  const memory = memoryOf(backend);
  if (!memory) return null;
  let heap = heaps.get(memory);
  if (heap === undefined) {
    heap = null;
    const bytes = decodeBase64(AREA_WASM);
    try {
      if (bytes) {
        const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {
          env: { memory },
        });
        const f = inst.exports.areaResample as AreaFn;
        const satRows = inst.exports.satRows as SatRowsFn;
        heap = { f, satRows, memory, copies: [], cols: 0, colsBytes: 0, rgb: 0, rgbBytes: 0 };
      }
    } catch {
      heap = null;
    }
    heaps.set(memory, heap);
  }
  return heap;
};

let enabled = true;

/**
 * Turns the wasm area resampling on (the default) or off (the JS function runs), e.g. to compare
 * the two. Affects only the wasm backend.
 */
export const setWasmAreaResample = (on: boolean): void => {
  enabled = on;
};

/** Whether a table is in shared memory (browsers without cross-origin isolation have none). */
const isShared = (sums: Uint32Array): boolean =>
  typeof SharedArrayBuffer !== "undefined" && sums.buffer instanceof SharedArrayBuffer;

/** Whether `v` is a whole number the kernel's f64 / i32 arithmetic takes like JS's. */
const whole = (v: number, min: number): boolean => Number.isInteger(v) && v >= min && v <= 2 ** 24;

/**
 * Area-resamples rectangles of `sat` into the wasm heap: `cut(x0, y0, w, h, outW, outH, out)`
 * writes what `areaResample(sat, x0, y0, w, h, outW, outH, view, ...)` would at heap byte offset
 * `out` and returns true, or returns false (nothing written) for a rectangle it does not take.
 * Null when the kernel cannot run here or the table is not one it takes. `rects` (x0, y0, w, h
 * per rectangle, `count` of them) says which rows of the table to copy now; `maxOutW` is the
 * widest output row. Allocates nothing after it returns: heap views made then stay valid. A
 * cutter takes nothing (returns false) once another call of areaCutter or releaseAreaTable has
 * replaced the copy it reads.
 */
export const areaCutter = (
  backend: WasmBackendLike,
  sat: SummedAreaTable,
  rects: ArrayLike<number>,
  count: number,
  maxOutW: number,
): AreaCut | null => {
  const { width: W, height: H, pixels } = sat;
  const stride = (W + 1) * 3;
  const entries = (H + 1) * stride;
  // A table built where it is read is built here, in the heap, from its pixels (its sums are
  // never read); any other is copied from its sums.
  const fromPixels = pixels instanceof Uint8Array && sat.id !== undefined;
  const sums = fromPixels ? undefined : sat.sums;
  if (
    !enabled || !whole(W, 1) || !whole(H, 1) || entries * 4 > MAX_HEAP_TABLE_BYTES ||
    !whole(maxOutW, 1) ||
    (fromPixels
      ? pixels.length < W * H * 3 || 255 * W * H >= 2 ** 32
      : !(sums instanceof Uint32Array) || (isShared(sums) && sat.id === undefined) ||
        sums.length < entries)
  ) return null;
  const heap = heapOf(backend);
  if (!heap) return null;
  // The rows the rectangles read: from their first row's top to their last row's bottom.
  let lo = H + 1, hi = 0;
  for (let k = 0; k < count; k++) {
    const y0 = rects[4 * k + 1], h = rects[4 * k + 3];
    if (!whole(y0, -(2 ** 24)) || !whole(h, 1)) continue;
    lo = Math.min(lo, Math.min(Math.max(y0, 0), H));
    hi = Math.max(hi, Math.min(Math.max(y0 + h, 0), H) + 1);
  }
  const { wasm } = backend;
  /** Frees `ptr` if set, then allocates `bytes` (0 when the heap has no room). */
  const realloc = (ptr: number, bytes: number): number => {
    if (ptr) wasm._free(ptr);
    return wasm._malloc(bytes) >>> 0;
  };
  const serial = fromPixels || isShared(sums as Uint32Array)
    ? sat.id as string
    : serialOf(sums as Uint32Array);
  let at = heap.copies.findIndex((c) => c.table === serial);
  if (at < 0) {
    // Another table: a new copy while there are fewer than COPIES, else the least recently used
    // one's allocation when it fits (+16 bytes: the kernel reads a vector at the last entry).
    const need = entries * 4 + 16;
    if (need > SECOND_COPY_BYTES) {
      // A large table is kept alone: its copy takes the first allocation, the others are freed.
      for (const c of heap.copies.splice(1)) drop(backend, c);
    }
    const n = heap.copies.length;
    at = n === 0 || (n < COPIES && need <= SECOND_COPY_BYTES) ? n : n - 1;
    const c = heap.copies[at] ??= { table: 0, lo: 0, hi: 0, ptr: 0, bytes: 0 };
    if (c.bytes < need) {
      c.ptr = realloc(c.ptr, need);
      c.bytes = c.ptr ? need : 0;
    }
    c.table = c.ptr ? serial : 0;
    c.lo = c.hi = 0;
  }
  const copied = heap.copies[at];
  heap.copies.splice(at, 1);
  heap.copies.unshift(copied);
  if (heap.colsBytes < 24 * maxOutW) {
    heap.cols = realloc(heap.cols, 24 * maxOutW);
    heap.colsBytes = heap.cols ? 24 * maxOutW : 0;
  }
  // Image rows to build from, plus 16 bytes: the kernel reads a pixel as 4 bytes.
  const rgbNeed = fromPixels ? BUILD_ROWS * W * 3 + 16 : 0;
  if (heap.rgbBytes < rgbNeed) {
    heap.rgb = realloc(heap.rgb, rgbNeed);
    heap.rgbBytes = heap.rgb ? rgbNeed : 0;
  }
  if (!copied.ptr || !heap.cols || (fromPixels && !heap.rgb)) return null;
  if (fromPixels && lo < hi) {
    // Rows [0, hi) must be in the heap (each row sums the rows above it): those of [0, hi) not
    // yet there are built now, from the image rows above them.
    const pix = pixels as Uint8Array;
    let r = copied.lo < copied.hi ? copied.hi : 0;
    if (r === 0) {
      new Uint32Array(heap.memory.buffer, copied.ptr, stride).fill(0);
      r = 1;
    }
    for (; r < hi; r += BUILD_ROWS) {
      const k = Math.min(BUILD_ROWS, hi - r);
      new Uint8Array(heap.memory.buffer, heap.rgb, k * W * 3)
        .set(pix.subarray((r - 1) * W * 3, (r - 1 + k) * W * 3));
      heap.satRows(heap.rgb, W, r, r + k, copied.ptr);
    }
    copied.lo = 0;
    copied.hi = Math.max(hi, copied.hi);
  } else if (lo < hi) {
    // Rows [lo, hi) must be in the copy: those of [lo, hi) not yet there are copied now.
    const from = sums as Uint32Array;
    const copy = (a: number, b: number) => {
      if (a >= b) return;
      new Uint32Array(heap.memory.buffer, copied.ptr + a * stride * 4, (b - a) * stride)
        .set(from.subarray(a * stride, b * stride));
    };
    const nlo = copied.lo < copied.hi ? Math.min(lo, copied.lo) : lo;
    const nhi = copied.lo < copied.hi ? Math.max(hi, copied.hi) : hi;
    if (copied.lo < copied.hi) {
      // The copy stays one range of rows: what it lacks of [nlo, nhi) is copied.
      copy(nlo, copied.lo);
      copy(copied.hi, nhi);
    } else copy(nlo, nhi);
    copied.lo = nlo;
    copied.hi = nhi;
  }
  const { f, cols } = heap;
  const { ptr } = copied;
  return (x0, y0, w, h, outW, outH, out) => {
    if (
      !whole(x0, -(2 ** 24)) || !whole(y0, -(2 ** 24)) || !whole(w, 1) || !whole(h, 1) ||
      !whole(outW, 1) || outW > maxOutW || !whole(outH, 1)
    ) return false;
    // Still this table's copy in the same allocations, holding the rows this rectangle reads.
    if (copied.table !== serial || copied.ptr !== ptr || heap.cols !== cols) return false;
    const ya = Math.min(Math.max(y0, 0), H), yb = Math.min(Math.max(y0 + h, 0), H);
    if (ya < copied.lo || yb >= copied.hi) return false;
    f(ptr, W, H, x0, y0, w, h, outW, outH, out, cols);
    return true;
  };
};

/** Frees a copy; its cutters then take nothing (they check the table and the allocation). */
const drop = (backend: WasmBackendLike, c: TableCopy): void => {
  if (c.ptr) backend.wasm._free(c.ptr);
  Object.assign(c, { table: 0, lo: 0, hi: 0, ptr: 0, bytes: 0 });
};

/** Frees the heap copies of tables and the scratch (the next cut allocates them again). */
export const releaseAreaTable = (backend: WasmBackendLike): void => {
  const memory = memoryOf(backend);
  const heap = memory && heaps.get(memory);
  if (!heap) return;
  for (const c of heap.copies) drop(backend, c);
  if (heap.cols) backend.wasm._free(heap.cols);
  if (heap.rgb) backend.wasm._free(heap.rgb);
  heap.copies.length = 0;
  heap.cols = heap.colsBytes = 0;
  heap.rgb = heap.rgbBytes = 0;
};
