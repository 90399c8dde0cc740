/**
 * The wasm backend's convolution + bias + PReLU + max pool kernel (lib/nets/conv_pool.ts) for
 * detection: our convolution (lib/kernels/run_conv.ts) and our max pool (wasm_pool.ts) run a few
 * images at a time, the convolution into a small scratch buffer that the pool reads back while it
 * is still in cache, the pool straight into the output tensor; the whole convolution output is
 * never made. Why: RNet's first convolution writes 22 x 22 x 28 floats per crop, 9.8 MB for a
 * batch of 180, far more than the cache, and the pool then reads it all back from memory
 * (docs/speed.md, "Outside the convolutions"). Each image's convolution and pool are computed
 * alone in either case, so the bits are those of the two kernels one after the other. Cases our
 * kernels do not cover, or when either is turned off, run the backend's `FusedConv2D` then its
 * `MaxPool`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { offsetOf, type WasmBackendLike } from "./instance.ts";
import { prepareConv, type PreparedConv } from "./run_conv.ts";
import { type ConvAttrs, fusedConvArgs, wasmWinogradOn } from "./wasm_conv.ts";
import { type PoolAttrs, type PreparedPool, preparePool, wasmMaxPoolOn } from "./wasm_pool.ts";
import { CONV_PRELU_POOL_KERNEL } from "../nets/conv_pool.ts";

/** Bytes of convolution output per piece: a few crops, well inside a core's L2. */
let chunkBytes = 256 * 1024;
let enabled = true;

/**
 * Turns the chunked convolution + pool on (the default) or off (the backend's `FusedConv2D`
 * then `MaxPool` run, as before), and sets how many bytes of convolution output a piece holds
 * (at least one image), e.g. to compare.
 */
export const setWasmConvPool = (on: boolean, options: { chunkBytes?: number } = {}): void => {
  enabled = on;
  if (options.chunkBytes !== undefined) chunkBytes = options.chunkBytes;
};

/** Images per piece for images of `bytes` bytes of convolution output each (at least one). */
export const imagesPerPiece = (bytes: number): number =>
  Math.max(1, Math.floor(chunkBytes / bytes));

interface Inputs {
  readonly x: tf.TensorInfo;
  readonly filter: tf.TensorInfo;
  readonly bias: tf.TensorInfo;
  readonly alpha?: tf.TensorInfo;
}

const CONV_ATTRS = { strides: 1, pad: "valid", dataFormat: "NHWC", dilations: 1 } as const;

/** The backend's registered kernel `name` on these inputs (ours where installed). */
const kernel = (
  name: string,
  inputs: Record<string, tf.TensorInfo | undefined>,
  attrs: object,
  backend: unknown,
): tf.TensorInfo => {
  const k = tf.getKernel(name, "wasm");
  if (!k) throw new Error(`${CONV_PRELU_POOL_KERNEL}: the wasm backend has no ${name}`);
  return k.kernelFunc({
    inputs: inputs as unknown as tf.NamedTensorInfoMap,
    attrs: attrs as unknown as tf.NamedAttrMap,
    backend: backend as tf.KernelBackend,
  }) as tf.TensorInfo;
};

/** The chunked path, or undefined when a piece of it is not ours. */
const chunked = (
  backend: WasmBackendLike,
  inputs: Inputs,
  convAttrs: ConvAttrs,
  poolAttrs: PoolAttrs,
): tf.TensorInfo | undefined => {
  const { x, filter, bias, alpha } = inputs;
  const a = fusedConvArgs({ x, filter, bias, preluActivationWeights: alpha }, convAttrs);
  const xp = offsetOf(backend, x);
  if (!enabled || !wasmMaxPoolOn() || !a || xp === undefined) return undefined;
  let conv: PreparedConv | undefined, pool: PreparedPool | undefined, scratch = 0;
  try {
    conv = prepareConv(backend, a, wasmWinogradOn());
    pool = conv && preparePool(backend, conv.outShape, poolAttrs);
    if (!conv || !pool) return undefined;
    const n = x.shape[0];
    const [h, w, ci] = x.shape.slice(1), [ho, wo, co] = conv.outShape;
    const inBytes = h * w * ci * 4, midBytes = ho * wo * co * 4;
    const outBytes = pool.outShape.reduce((p, q) => p * q, 4);
    const per = Math.min(n, imagesPerPiece(midBytes));
    const out = backend.makeOutput([n, ...pool.outShape], "float32");
    const op = offsetOf(backend, out) as number;
    scratch = n > 0 ? backend.wasm._malloc(per * midBytes) : 0;
    for (let b = 0; b < n; b += per) {
      const m = Math.min(per, n - b);
      conv.run(xp + b * inBytes, m, scratch);
      pool.run(scratch, m, op + b * outBytes);
    }
    return out;
  } finally {
    if (scratch) backend.wasm._free(scratch);
    pool?.free();
    conv?.free();
  }
};

let installed = false;

/**
 * Registers {@linkcode CONV_PRELU_POOL_KERNEL} for the wasm backend (idempotent; called where
 * the wasm backend starts, after our convolution and max-pool kernels).
 */
export const installWasmConvPool = (): void => {
  if (installed || !tf.getKernel("FusedConv2D", "wasm")) return;
  installed = true;
  tf.registerKernel({
    kernelName: CONV_PRELU_POOL_KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const ins = inputs as unknown as Inputs;
      const poolAttrs = attrs as unknown as PoolAttrs;
      const convAttrs: ConvAttrs = {
        ...CONV_ATTRS,
        activation: ins.alpha ? "prelu" : "linear",
      };
      const b = backend as unknown as WasmBackendLike & {
        disposeData(id: unknown): boolean;
      };
      const r = chunked(b, ins, convAttrs, poolAttrs);
      if (r) return r;
      const { x, filter, bias, alpha } = ins;
      const y = kernel(
        "FusedConv2D",
        { x, filter, bias, preluActivationWeights: alpha },
        convAttrs,
        b,
      );
      try {
        return kernel("MaxPool", { x: y }, { ...poolAttrs, dimRoundingMode: undefined }, b);
      } finally {
        b.disposeData(y.dataId);
      }
    },
  });
};
