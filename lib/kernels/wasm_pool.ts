/**
 * Our own `MaxPool` kernel for tfjs's wasm backend: MTCNN's pools (2x2 and 3x3 windows, stride
 * 2, SAME or VALID, NHWC float32) in WebAssembly SIMD, run in the backend's own memory
 * (scripts/kernels/pool.ts). Every other case goes to tfjs-wasm's kernel.
 *
 * Why: separable (rows, then columns) with whole windows unrolled, it takes 0-20% less than
 * tfjs-wasm's (XNNPACK's) on MTCNN's pools alone (bench/max_pool.ts) and half inside detection
 * on PNet's levels; RNet's and ONet's, bound by memory there, came out even
 * (bench/detect_profile.ts, docs/speed.md) until they ran in pieces with their convolutions
 * (wasm_conv_pool.ts). A maximum is exact, so both give the same values. Training's forward pass uses
 * it too.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { decodeBase64 } from "../base64.ts";
import { offsetOf, type WasmBackendLike } from "./instance.ts";
import { POOL_WASM } from "./pool_wasm_data.ts";

type PoolFn = (
  inp: number,
  n: number,
  h: number,
  w: number,
  c: number,
  k: number,
  s: number,
  top: number,
  left: number,
  ho: number,
  wo: number,
  out: number,
  rowMax: number,
) => void;

const instances = new WeakMap<WebAssembly.Memory, PoolFn | null>();

/** The kernel bound to a wasm backend's memory, or null where it cannot run. */
const poolOf = (backend: WasmBackendLike): PoolFn | null => {
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  let f = instances.get(memory);
  if (f === undefined) {
    const bytes = decodeBase64(POOL_WASM);
    try {
      const inst = bytes &&
        new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {
          env: { memory },
        });
      f = inst ? inst.exports.maxPool as PoolFn : null;
    } catch {
      f = null;
    }
    instances.set(memory, f);
  }
  return f;
};

/** A max pool's attributes, as tfjs's `MaxPool` kernel gets them. */
export interface PoolAttrs {
  readonly filterSize: number | [number, number];
  readonly strides: number | [number, number];
  readonly pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  readonly dimRoundingMode?: "floor" | "round" | "ceil";
}

const pair = (v: number | [number, number]): [number, number] => typeof v === "number" ? [v, v] : v;

/** A max pool of one shape, ready to run on any number of its images. */
export interface PreparedPool {
  /** Output shape of one image: [ho, wo, c]. */
  readonly outShape: readonly [number, number, number];
  /** Pools `n` images from byte offset `xp` into byte offset `op`. */
  readonly run: (xp: number, n: number, op: number) => void;
  /** Releases the scratch; call it once. */
  readonly free: () => void;
}

/**
 * Our max pool of [h, w, c] images, or undefined when the case is not ours: square windows with
 * equal strides on a float32 map whose every window holds at least one cell (as tfjs's own rules
 * give).
 */
export const preparePool = (
  backend: WasmBackendLike,
  shape: readonly [number, number, number],
  attrs: PoolAttrs,
): PreparedPool | undefined => {
  const [kh, kw] = pair(attrs.filterSize), [sh, sw] = pair(attrs.strides);
  if (kh !== kw || sh !== sw || kh < 1 || sh < 1) return undefined;
  const f = poolOf(backend);
  if (!f) return undefined;
  const info = tf.backend_util.computePool2DInfo(
    [1, ...shape],
    [kh, kw],
    [sh, sw],
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const { top, left } = info.padInfo;
  // Each window must hold a cell of the map (else tfjs's kernel decides what an empty one is).
  const fits = (out: number, pad: number, size: number) =>
    out > 0 && pad >= 0 && pad < kh && (out - 1) * sh - pad < size;
  if (!fits(ho, top, h) || !fits(wo, left, w) || c === 0) return undefined;
  const rowMax = backend.wasm._malloc(w * c * 4);
  return {
    outShape: [ho, wo, c],
    run: (xp, n, op) => f(xp, n, h, w, c, kh, sh, top, left, ho, wo, op, rowMax),
    free: () => backend.wasm._free(rowMax),
  };
};

/** Our max pool, or undefined when the case is not ours (see {@linkcode preparePool}). */
export const runMaxPool = (
  backend: WasmBackendLike,
  x: tf.TensorInfo,
  attrs: PoolAttrs,
): tf.TensorInfo | undefined => {
  if (x.dtype !== "float32" || x.shape.length !== 4) return undefined;
  const xp = offsetOf(backend, x);
  if (xp === undefined) return undefined;
  const [n, ...shape] = x.shape as [number, number, number, number];
  const pool = preparePool(backend, shape, attrs);
  if (!pool) return undefined;
  try {
    const out = backend.makeOutput([n, ...pool.outShape], "float32");
    pool.run(xp, n, offsetOf(backend, out) as number);
    return out;
  } finally {
    pool.free();
  }
};

let enabled = true;
let installed = false;

/**
 * Turns our wasm max-pool kernel on (the default) or off (tfjs-wasm's runs), e.g. to compare
 * the two. Affects only the wasm backend.
 */
export const setWasmMaxPool = (on: boolean): void => {
  enabled = on;
};

/** Whether our max-pool kernel is on (see {@linkcode setWasmMaxPool}). */
export const wasmMaxPoolOn = (): boolean => enabled;

/**
 * Registers our `MaxPool` for the wasm backend in place of tfjs's, which still runs every case
 * ours does not cover (idempotent; called where the wasm backend starts). Needs
 * `@tensorflow/tfjs-backend-wasm` imported first.
 */
export const installWasmMaxPool = (): void => {
  if (installed) return;
  const theirs = tf.getKernel("MaxPool", "wasm");
  if (!theirs) return;
  installed = true;
  tf.unregisterKernel("MaxPool", "wasm");
  tf.registerKernel({
    ...theirs,
    kernelFunc: (args) => {
      const { x } = args.inputs as unknown as { x: tf.TensorInfo };
      const r = enabled
        ? runMaxPool(
          args.backend as unknown as WasmBackendLike,
          x,
          args.attrs as unknown as PoolAttrs,
        )
        : undefined;
      return r ?? theirs.kernelFunc(args);
    },
  });
};
