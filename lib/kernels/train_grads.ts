/**
 * Running our training kernels inside tfjs-wasm's heap: the filter gradient of a stride-1
 * VALID convolution, the max-pool gradient, sums over leading axes, PReLU's gradient and Adam's
 * update. Each returns undefined when the case is not ours (then tfjs's way runs). Inputs are
 * borrowed; outputs are new tensors of the backend.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { AdamKernelAttrs } from "../train/adam.ts";
import { floats, offsetOf, sizeOf, type WasmBackendLike } from "./instance.ts";
import { runConv } from "./run_conv.ts";
import { trainKernelsOf } from "./train_instance.ts";

/**
 * dW of a stride-1, dilation-1, VALID convolution (NHWC x [n, h, w, ci], dy [n, oh, ow, co]),
 * shaped [kh, kw, ci, co].
 */
export const runFilterGrad = (
  backend: WasmBackendLike,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: readonly [number, number, number, number],
): tf.TensorInfo | undefined => {
  const k = trainKernelsOf(backend);
  if (!k || !floats(x, dy) || x.shape.length !== 4 || dy.shape.length !== 4) return undefined;
  const [n, h, w, ci] = x.shape;
  const [kh, kw, fci, co] = filterShape;
  const oh = h - kh + 1, ow = w - kw + 1;
  const [dn, dh, dw, dc] = dy.shape;
  if (fci !== ci || dn !== n || dh !== oh || dw !== ow || dc !== co || oh < 1 || ow < 1) return;
  // A 1 x 1 output (PNet's conv3 on 12 x 12 crops) is a matrix product with the images as
  // pixels: the same memory seen as [1, n, kh * kw * ci] and [1, n, co], many pixels per pass.
  if (oh === 1 && ow === 1 && kh * kw > 1) {
    const view = (t: tf.TensorInfo, shape: number[]) => ({ ...t, shape });
    const taps = kh * kw * ci;
    const r = runFilterGrad(backend, view(x, [1, 1, n, taps]), view(dy, [1, 1, n, co]), [
      1,
      1,
      taps,
      co,
    ]);
    return r && view(r, [kh, kw, ci, co]);
  }
  const xp = offsetOf(backend, x), dp = offsetOf(backend, dy);
  if (xp === undefined || dp === undefined) return undefined;
  const out = backend.makeOutput([kh, kw, ci, co], "float32");
  const op = offsetOf(backend, out) as number;
  const coPad = Math.ceil(co / 4) * 4;
  const pixels = n * oh * ow, taps = kh * kw * ci;
  if (coPad === co) {
    k.filterGrad(xp, n, h, w, ci, dp, co, coPad, kh, kw, op);
    return out;
  }
  // Channels that are not whole vectors: dY read in place, its last vector running into the next
  // pixel's channels (which only reach the accumulator's padding columns, dropped after), unless
  // that would read past the end of memory: then a zero-padded copy.
  const inPlace = dp + (pixels * co + coPad - co) * 4 <= k.memory.buffer.byteLength;
  const scratch = backend.wasm._malloc(((inPlace ? 0 : pixels) + taps) * coPad * 4);
  try {
    const acc = scratch + (inPlace ? 0 : pixels * coPad * 4);
    if (inPlace) k.filterGrad(xp, n, h, w, ci, dp, co, coPad, kh, kw, acc);
    else {
      k.padRows(dp, pixels, co, coPad, scratch);
      k.filterGrad(xp, n, h, w, ci, scratch, coPad, coPad, kh, kw, acc);
    }
    k.unpadRows(acc, taps, co, coPad, op);
    return out;
  } finally {
    backend.wasm._free(scratch);
  }
};

/** The max pool's geometry, as tfjs's `computePool2DInfo` gives it. */
export interface PoolGeometry {
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

/** The max-pool gradient (first maximum of each window in row-major order), shaped like x. */
export const runMaxPoolGrad = (
  backend: WasmBackendLike,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  g: PoolGeometry,
): tf.TensorInfo | undefined => {
  const k = trainKernelsOf(backend);
  if (!k || !floats(x, dy) || x.shape.length !== 4) return undefined;
  const [n, h, w, c] = x.shape;
  const want = [n, g.outHeight, g.outWidth, c];
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== want[i])) return undefined;
  const xp = offsetOf(backend, x), dp = offsetOf(backend, dy);
  if (xp === undefined || dp === undefined) return undefined;
  const out = backend.makeOutput([n, h, w, c], "float32");
  const tiled = g.strideHeight === g.filterHeight && g.strideWidth === g.filterWidth &&
    g.padTop === 0 && g.padLeft === 0 && g.outHeight * g.filterHeight === h &&
    g.outWidth * g.filterWidth === w &&
    xp + (n * h * w * c + 3) * 4 <= k.memory.buffer.byteLength &&
    dp + (n * g.outHeight * g.outWidth * c + 3) * 4 <= k.memory.buffer.byteLength;
  if (tiled) {
    const op = offsetOf(backend, out) as number;
    k.maxPoolGradTiled(xp, n, h, w, c, g.filterHeight, g.filterWidth, dp, op);
    return out;
  }
  k.maxPoolGrad(
    xp,
    n,
    h,
    w,
    c,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.padTop,
    g.padLeft,
    g.outHeight,
    g.outWidth,
    dp,
    offsetOf(backend, out) as number,
  );
  return out;
};

/**
 * The sum of x over its first `lead` axes (0 < lead < rank), shaped as the remaining axes
 * (with ones in front when `keepDims`).
 */
export const runLeadingSum = (
  backend: WasmBackendLike,
  x: tf.TensorInfo,
  lead: number,
  keepDims: boolean,
): tf.TensorInfo | undefined => {
  const k = trainKernelsOf(backend);
  if (!k || !floats(x) || lead < 1 || lead >= x.shape.length) return undefined;
  const xp = offsetOf(backend, x);
  if (xp === undefined) return undefined;
  const rest = x.shape.slice(lead);
  const c = sizeOf(rest), rows = sizeOf(x.shape.slice(0, lead));
  const shape = keepDims ? [...x.shape.slice(0, lead).map(() => 1), ...rest] : rest;
  const out = backend.makeOutput(shape, "float32");
  k.colSum(xp, rows, c, offsetOf(backend, out) as number);
  return out;
};

/**
 * One part of PReLU's gradient with alpha over the last axis of x (alpha of size c, shape [c] or
 * [1, ..., 1, c]): dx (shaped like x) or dalpha (shaped like alpha), each in one pass.
 */
export const runPreluGrad = (
  backend: WasmBackendLike,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  alpha: tf.TensorInfo,
  part: "x" | "alpha",
): tf.TensorInfo | undefined => {
  const k = trainKernelsOf(backend);
  if (!k || !floats(dy, x, alpha) || x.shape.length === 0) return undefined;
  const c = x.shape[x.shape.length - 1];
  const lastOnly = alpha.shape.length > 0 && alpha.shape[alpha.shape.length - 1] === c &&
    sizeOf(alpha.shape) === c;
  if (!lastOnly || dy.shape.length !== x.shape.length) return undefined;
  if (dy.shape.some((d, i) => d !== x.shape[i])) return undefined;
  const xp = offsetOf(backend, x), dp = offsetOf(backend, dy), ap = offsetOf(backend, alpha);
  if (xp === undefined || dp === undefined || ap === undefined) return undefined;
  const rows = sizeOf(x.shape) / c;
  const out = backend.makeOutput([...(part === "x" ? x.shape : alpha.shape)], "float32");
  const op = offsetOf(backend, out) as number;
  if (part === "x") k.preluGradX(xp, dp, ap, rows, c, op);
  else k.preluGradAlpha(xp, dp, rows, c, op);
  return out;
};

/** The backend's reference counts of tensor data (tfjs-wasm 4.x has them). */
type SharedData = WasmBackendLike & {
  refCount?(id: unknown): number;
  incRef?(id: unknown): void;
};

/** Adam's output for a moment: its own data when `alone` (updated in place), else new. */
const momentOut = (
  backend: SharedData,
  alone: boolean,
  t: tf.TensorInfo,
  shape: readonly number[],
): tf.TensorInfo => {
  if (!alone) return backend.makeOutput(shape.slice(), "float32");
  backend.incRef!(t.dataId);
  return { dataId: t.dataId, shape: t.shape.slice(), dtype: "float32" };
};

/**
 * Adam's update of one variable in one pass: [w', m', v'] (w' new; m and v updated in place
 * and shared when nothing else holds their data, new otherwise).
 */
export const runAdam = (
  backend: WasmBackendLike,
  w: tf.TensorInfo,
  g: tf.TensorInfo,
  m: tf.TensorInfo,
  v: tf.TensorInfo,
  s: AdamKernelAttrs,
): [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo] | undefined => {
  const k = trainKernelsOf(backend);
  // Called for every variable on every step: no arrays or closures beyond the outputs (each
  // step's garbage is collected while training runs).
  if (!k || w.dtype !== "float32" || g.dtype !== "float32") return undefined;
  if (m.dtype !== "float32" || v.dtype !== "float32") return undefined;
  const len = sizeOf(w.shape);
  if (sizeOf(g.shape) !== len || sizeOf(m.shape) !== len || sizeOf(v.shape) !== len) {
    return undefined;
  }
  const wp = offsetOf(backend, w), gp = offsetOf(backend, g);
  const mp = offsetOf(backend, m), vp = offsetOf(backend, v);
  if (wp === undefined || gp === undefined || mp === undefined || vp === undefined) {
    return undefined;
  }
  // The moments in place where each is held by one tensor only (the optimizer's variables):
  // the outputs share their data (as our Identity does), and `assign` then keeps it. Never the
  // weights: tfjs-wasm's XNNPACK kernels (the dense layers' _FusedMatMul) keep packed copies of
  // a weight buffer for as long as it lives, and would go on with the old values.
  const shared = backend as SharedData;
  const alone = shared.refCount !== undefined && shared.incRef !== undefined &&
    shared.refCount(m.dataId) === 1 && shared.refCount(v.dataId) === 1;
  const outs: [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo] = [
    backend.makeOutput(w.shape.slice(), "float32"),
    momentOut(backend, alone, m, w.shape),
    momentOut(backend, alone, v, w.shape),
  ];
  // The tensor-op version's constants: tfjs makes float32 scalars of 1 - beta and of c1, c2.
  k.adam(
    wp,
    gp,
    mp,
    vp,
    len,
    s.lr,
    s.beta1,
    1 - s.beta1,
    s.beta2,
    1 - s.beta2,
    s.c1,
    s.c2,
    s.epsilon,
    offsetOf(backend, outs[0]) as number,
    offsetOf(backend, outs[1]) as number,
    offsetOf(backend, outs[2]) as number,
  );
  return outs;
};

/**
 * A 2-D matrix product op(a) op(b) (a, b of shape [r, c] or [1, r, c]) with our
 * kernels: plain and b-transposed products as 1x1 convolutions (b transposed first), the
 * a-transposed one (a dense layer's weight gradient) as a 1x1 filter gradient. Shaped
 * [M, N] or [1, M, N] like the inputs.
 */
export const runMatMul = (
  backend: WasmBackendLike & { disposeData(id: unknown, force?: boolean): boolean },
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo | undefined => {
  const k = trainKernelsOf(backend);
  if (!k || !floats(a, b) || a.shape.length !== b.shape.length) return undefined;
  const rank = a.shape.length;
  if (rank !== 2 && (rank !== 3 || a.shape[0] !== 1 || b.shape[0] !== 1)) return undefined;
  const [ar, ac] = a.shape.slice(-2), [br, bc] = b.shape.slice(-2);
  const [m, ka] = transposeA ? [ac, ar] : [ar, ac];
  const [kb, n] = transposeB ? [bc, br] : [br, bc];
  if (ka !== kb || m === 0 || n === 0 || ka === 0) return undefined;
  const view = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({
    dataId: t.dataId,
    shape,
    dtype: "float32",
  });
  const shaped = (r: tf.TensorInfo | undefined) => r && view(r, rank === 2 ? [m, n] : [1, m, n]);
  if (transposeA) {
    if (transposeB) return undefined;
    return shaped(runFilterGrad(backend, view(a, [1, 1, ka, m]), view(b, [1, 1, ka, n]), [
      1,
      1,
      m,
      n,
    ]));
  }
  let filter = view(b, [1, 1, ka, n]);
  let temp: tf.TensorInfo | undefined;
  if (transposeB) {
    const bp = offsetOf(backend, b);
    if (bp === undefined) return undefined;
    temp = backend.makeOutput([1, 1, ka, n], "float32");
    k.transpose2d(bp, n, ka, offsetOf(backend, temp) as number);
    filter = temp;
  }
  try {
    return shaped(
      runConv(backend, { x: view(a, [1, 1, m, ka]), filter, activation: "linear" }, false),
    );
  } finally {
    if (temp) backend.disposeData(temp.dataId, true);
  }
};

/**
 * The input gradient of a stride-1, dilation-1 VALID convolution (dy [n, oh, ow, co], filter
 * [kh, kw, ci, co]): the full correlation of dy, zero-padded in wasm memory, with the flipped
 * filter, on our forward convolution kernels (Winograd for 3x3). Shaped [n, oh+kh-1, ow+kw-1, ci].
 */
export const runInputGrad = (
  backend: WasmBackendLike & { disposeData(id: unknown, force?: boolean): boolean },
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
): tf.TensorInfo | undefined => {
  const k = trainKernelsOf(backend);
  if (!k || !floats(dy, filter) || dy.shape.length !== 4 || filter.shape.length !== 4) return;
  const [n, oh, ow, co] = dy.shape;
  const [kh, kw, ci, fco] = filter.shape;
  if (fco !== co || n === 0 || ci === 0) return undefined;
  const dp = offsetOf(backend, dy), fp = offsetOf(backend, filter);
  if (dp === undefined || fp === undefined) return undefined;
  const hh = oh + 2 * (kh - 1), ww = ow + 2 * (kw - 1);
  const temps: tf.TensorInfo[] = [];
  try {
    // Small outputs (PNet's 3x3 and 1x1 maps): the full correlation's padding is mostly zeros
    // (49 / 9 and 25 / 1 of its work), so multiply dY by the transposed filter instead (every
    // pixel's kh * kw * ci products, one 1x1 convolution) and add them up in place (col2im).
    if ((kh > 1 || kw > 1) && (oh + kh - 1) * (ow + kw - 1) >= 2 * oh * ow) {
      const taps = kh * kw * ci, pixels = n * oh * ow;
      const wt = backend.makeOutput([1, 1, co, taps], "float32");
      temps.push(wt);
      k.transpose2d(fp, taps, co, offsetOf(backend, wt) as number);
      const x = { dataId: dy.dataId, shape: [1, 1, pixels, co], dtype: "float32" as const };
      const cols = runConv(backend, { x, filter: wt, activation: "linear" }, false);
      if (!cols) return undefined;
      temps.push(cols);
      const out = backend.makeOutput([n, oh + kh - 1, ow + kw - 1, ci], "float32");
      const op = offsetOf(backend, out) as number;
      k.col2im(offsetOf(backend, cols) as number, n, oh, ow, kh, kw, ci, op);
      return out;
    }
    let x = dy;
    if (kh > 1 || kw > 1) {
      x = backend.makeOutput([n, hh, ww, co], "float32");
      temps.push(x);
      k.padImages(dp, n, oh, ow, co, kh - 1, kw - 1, hh, ww, offsetOf(backend, x) as number);
    }
    const rot = backend.makeOutput([kh, kw, co, ci], "float32");
    temps.push(rot);
    k.flipFilter(fp, kh, kw, ci, co, offsetOf(backend, rot) as number);
    return runConv(backend, { x, filter: rot, activation: "linear" }, true);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId, true);
  }
};
