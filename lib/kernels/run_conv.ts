/**
 * Running one convolution with our kernels inside tfjs-wasm's heap: padding the filter, bias and
 * PReLU vectors to whole vectors where needed, then the direct kernels group by group of output
 * channels, or Winograd F(2x2, 3x3) for 3x3 filters over 8 or more input channels.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { channelGroups, kernelsOf, type WasmBackendLike, weightsFirst } from "./instance.ts";

/** A convolution for {@linkcode runConv}. */
export interface ConvArgs {
  readonly x: tf.TensorInfo;
  readonly filter: tf.TensorInfo;
  readonly bias?: tf.TensorInfo;
  readonly alpha?: tf.TensorInfo;
  readonly activation: "linear" | "relu" | "prelu";
}

/** Winograd tile sizes: F(2x2, 3x3), F(3x3, 3x3), F(4x4, 3x3). */
export type WinogradTile = 2 | 3 | 4;

/** Products per channel pair for a `ho` x `wo` output in m x m tiles: (m + 2)^2 per tile. */
const products = (m: number, ho: number, wo: number): number =>
  (m + 2) ** 2 * Math.ceil(ho / m) * Math.ceil(wo / m);

/**
 * The Winograd tile for a 3x3 convolution with `ho` x `wo` output pixels ("auto"): F(4x4, 3x3)
 * (36 products per 4x4 output tile) on maps of at least 8 x 8 where its tiles, padded over the
 * map, need at most 0.7 times F(2x2, 3x3)'s products (16 per 2x2 tile); else F(3x3, 3x3) (25 per
 * 3x3 tile) on maps of at least 6 x 6 where it does; else F(2x2). The larger tiles' transforms
 * and filters cost more per call, so small maps stay on F(2x2). Measured per layer
 * (`bench/winograd_tiles.ts`, docs/speed.md): RNet's 9 x 9 fits 3x3 tiles exactly (F(3x3) 0.7x
 * F(2x2)'s CPU time, F(4x4) 1.0x); PNet's large maps, ONet's 21 x 21 and 8 x 8 take F(4x4) (0.8x,
 * 0.8x, 0.6x). F(3x3) was faster on ONet's 21 x 21 (0.73x) but made tests/train_parallel_test.ts's
 * one-thread and two-worker ONet weights differ by 1.8e-5 of their scale (F(2x2) and F(4x4):
 * 1.4e-6 and 1.3e-6), which is not understood yet; F(4x4) is taken first.
 */
export const winogradTile = (ho: number, wo: number): WinogradTile => {
  const f2 = products(2, ho, wo);
  if (ho >= 8 && wo >= 8 && products(4, ho, wo) <= 0.7 * f2) return 4;
  if (ho >= 6 && wo >= 6 && products(3, ho, wo) <= 0.7 * f2) return 3;
  return 2;
};

/**
 * A convolution ready to run on any number of `a.x`'s images: the padded weights (or Winograd's
 * transformed filter) are made once, then `run` computes `n` images from byte offset `xp` into
 * byte offset `op` (each image's output is computed alone, so a batch cut in pieces gives the
 * same bits). `free` releases the scratch; call it once.
 */
export interface PreparedConv {
  /** Output shape of one image: [ho, wo, co]. */
  readonly outShape: readonly [number, number, number];
  readonly run: (xp: number, n: number, op: number) => void;
  readonly free: () => void;
}

/** Prepares our convolution of `a`, or undefined when this case is not ours. */
export const prepareConv = (
  backend: WasmBackendLike,
  a: ConvArgs,
  winograd: boolean,
  tile: WinogradTile | "auto" = 2,
): PreparedConv | undefined => {
  const k = kernelsOf(backend);
  if (!k) return undefined;
  const [, h, w, ci] = a.x.shape;
  const [kh, kw, fci, co] = a.filter.shape;
  if (fci !== ci || kh > h || kw > w || co === 0) return undefined;
  const offset = (t?: tf.TensorInfo) => (t ? backend.dataIdMap.get(t.dataId)?.memoryOffset : 0);
  // Byte offsets do not move when memory grows; only views of it must be made afresh.
  const fp = offset(a.filter), bp = offset(a.bias), ap = offset(a.alpha);
  if (fp === undefined || bp === undefined || ap === undefined) return;
  const coPad = Math.ceil(co / 4) * 4;
  // Winograd where it pays: 3x3 kernels over 8 or more input channels; larger tiles on larger maps.
  const wino = winograd && kh === 3 && kw === 3 && ci >= 8;
  const m = wino ? (tile === "auto" ? winogradTile(h - 2, w - 2) : tile) : 2;
  const e = (m + 2) ** 2;
  const kern = m === 4
    ? { run: k.wino4, filter: k.wino4Filter, scratch: k.wino4Scratch }
    : m === 3
    ? { run: k.wino3, filter: k.wino3Filter, scratch: k.wino3Scratch }
    : undefined;
  const ciPad = Math.ceil(ci / 4) * 4;
  const needWeights = !wino && coPad !== co;
  const needVectors = coPad !== co || !a.bias || a.activation === "relu";
  const taps = kh * kw * ci;
  // The larger tiles' scratch is sized for a full batch of tiles: `run` may get any n.
  const winoFloats = wino
    ? e * ciPad * coPad + (kern ? kern.scratch(ci, coPad, 1 << 30) : k.winoScratch(ci, coPad)) / 4
    : 0;
  const scratchFloats = winoFloats + (needWeights ? taps * coPad : 0) +
    (needVectors ? 2 * coPad : 0);
  const scratch = scratchFloats ? backend.wasm._malloc(scratchFloats * 4) : 0;
  const free = () => {
    if (scratch) backend.wasm._free(scratch);
  };
  const outShape = [h - kh + 1, w - kw + 1, co] as const;
  try {
    const heap = new Float32Array(k.memory.buffer);
    let wts = fp, bias = bp, alpha = ap;
    let at = scratch >> 2;
    if (wino) {
      if (kern) kern.filter(fp, ci, co, coPad, scratch, scratch + e * ciPad * coPad * 4);
      else k.winoFilter(fp, ci, co, coPad, scratch);
      at += winoFloats;
      heap.fill(0, at - coPad - (kern ? e * 4 : 0), at); // the zeros after V and M
    }
    if (needWeights) {
      for (let r = 0; r < taps; r++) {
        const src = (fp >> 2) + r * co, dst = at + r * coPad;
        for (let c = 0; c < coPad; c++) heap[dst + c] = c < co ? heap[src + c] : 0;
      }
      wts = at << 2;
      at += taps * coPad;
    }
    if (needVectors) {
      for (let c = 0; c < coPad; c++) {
        heap[at + c] = a.bias && c < co ? heap[(bp >> 2) + c] : 0;
        heap[at + coPad + c] = a.activation === "prelu" && c < co ? heap[(ap >> 2) + c] : 0;
      }
      bias = at << 2;
      alpha = (at + coPad) << 2;
    }
    const act = a.activation === "linear" ? 0 : 1;
    if (wino) {
      const uBytes = e * ciPad * coPad * 4;
      const lastLanes = co - (coPad - 4);
      const wino = kern?.run ?? k.wino;
      const run = (xp: number, n: number, op: number) =>
        wino(
          xp,
          n,
          h,
          w,
          ci,
          scratch,
          coPad,
          co,
          bias,
          alpha,
          act,
          op,
          scratch + uBytes,
          lastLanes,
        );
      return { outShape, run, free };
    }
    const groups: [number, number, number][] = [];
    let c0 = 0;
    for (const v of channelGroups(co)) {
      groups.push([v, c0, Math.min(4, co - c0 - 4 * (v - 1))]);
      c0 += 4 * v;
    }
    const run = (xp: number, n: number, op: number) => {
      for (const [v, c0, lastLanes] of groups) {
        const f = weightsFirst(v, w - kw + 1) ? k.convw[v] : k.conv[v];
        f(xp, n, h, w, ci, kh, kw, wts, coPad, c0, bias, alpha, act, op, co, lastLanes);
      }
    };
    return { outShape, run, free };
  } catch (e) {
    free();
    throw e;
  }
};

/** Our convolution, or undefined when this case is not ours (then tfjs's kernel runs). */
export const runConv = (
  backend: WasmBackendLike,
  a: ConvArgs,
  winograd: boolean,
  tile: WinogradTile | "auto" = 2,
): tf.TensorInfo | undefined => {
  const xp = backend.dataIdMap.get(a.x.dataId)?.memoryOffset;
  if (xp === undefined) return undefined;
  const conv = prepareConv(backend, a, winograd, tile);
  if (!conv) return undefined;
  try {
    const out = backend.makeOutput([a.x.shape[0], ...conv.outShape], "float32");
    conv.run(xp, a.x.shape[0], backend.dataIdMap.get(out.dataId)?.memoryOffset as number);
    return out;
  } finally {
    conv.free();
  }
};
