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

/**
 * Whether a 3x3 convolution with `ho` x `wo` output pixels takes Winograd F(4x4, 3x3) (36 products
 * per 4x4 output tile, 6x6 input tiles) rather than F(2x2, 3x3) (16 per 2x2 tile) when
 * `winograd4` is "auto": where F(4x4)'s tiles, padded to multiples of 4, need at most 0.7 times
 * F(2x2)'s products and the map is at least 8 x 8 (its larger transforms and filter cost more
 * per call). Measured per layer (bench/conv_kernels.ts, docs/speed.md): F(4x4) takes 0.76-0.80x
 * the CPU time on PNet's large maps and 0.4-0.8x on ONet's, but about as much on RNet's 9 x 9
 * (products 0.81x) and more on maps under 8 x 8.
 */
export const prefersWinograd4 = (ho: number, wo: number): boolean =>
  ho >= 8 && wo >= 8 &&
  36 * Math.ceil(ho / 4) * Math.ceil(wo / 4) <= 0.7 * 16 * Math.ceil(ho / 2) * Math.ceil(wo / 2);

/** Our convolution, or undefined when this case is not ours (then tfjs's kernel runs). */
export const runConv = (
  backend: WasmBackendLike,
  a: ConvArgs,
  winograd: boolean,
  winograd4: boolean | "auto" = false,
): tf.TensorInfo | undefined => {
  const k = kernelsOf(backend);
  if (!k) return undefined;
  const [n, h, w, ci] = a.x.shape;
  const [kh, kw, fci, co] = a.filter.shape;
  if (fci !== ci || kh > h || kw > w || co === 0) return undefined;
  const offset = (t?: tf.TensorInfo) => (t ? backend.dataIdMap.get(t.dataId)?.memoryOffset : 0);
  // Byte offsets do not move when memory grows; only views of it must be made afresh.
  const xp = offset(a.x), fp = offset(a.filter), bp = offset(a.bias), ap = offset(a.alpha);
  if (xp === undefined || fp === undefined || bp === undefined || ap === undefined) return;
  const coPad = Math.ceil(co / 4) * 4;
  // Winograd where it pays: 3x3 kernels over 8 or more input channels; F(4x4) on larger maps.
  const wino = winograd && kh === 3 && kw === 3 && ci >= 8;
  const four = wino &&
    (winograd4 === "auto" ? prefersWinograd4(h - 2, w - 2) : winograd4);
  const e = four ? 36 : 16;
  const ciPad = Math.ceil(ci / 4) * 4;
  const needWeights = !wino && coPad !== co;
  const needVectors = coPad !== co || !a.bias || a.activation === "relu";
  const out = backend.makeOutput([n, h - kh + 1, w - kw + 1, co], "float32");
  const op = offset(out) as number;
  const taps = kh * kw * ci;
  const winoFloats = wino
    ? e * ciPad * coPad +
      (four
          ? k.wino4Scratch(ci, coPad, n * Math.ceil((h - 2) / 4) * Math.ceil((w - 2) / 4))
          : k.winoScratch(ci, coPad)) / 4
    : 0;
  const scratchFloats = winoFloats + (needWeights ? taps * coPad : 0) +
    (needVectors ? 2 * coPad : 0);
  const scratch = scratchFloats ? backend.wasm._malloc(scratchFloats * 4) : 0;
  try {
    const heap = new Float32Array(k.memory.buffer);
    let wts = fp, bias = bp, alpha = ap;
    let at = scratch >> 2;
    if (wino) {
      if (four) k.wino4Filter(fp, ci, co, coPad, scratch, scratch + e * ciPad * coPad * 4);
      else k.winoFilter(fp, ci, co, coPad, scratch);
      at += winoFloats;
      heap.fill(0, at - coPad - (four ? 36 * 4 : 0), at); // the zeros after V and M
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
      (four ? k.wino4 : k.wino)(
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
      return out;
    }
    let c0 = 0;
    for (const v of channelGroups(co)) {
      const lastLanes = Math.min(4, co - c0 - 4 * (v - 1));
      const f = weightsFirst(v, w - kw + 1) ? k.convw[v] : k.conv[v];
      f(xp, n, h, w, ci, kh, kw, wts, coPad, c0, bias, alpha, act, op, co, lastLanes);
      c0 += 4 * v;
    }
    return out;
  } finally {
    if (scratch) backend.wasm._free(scratch);
  }
};
