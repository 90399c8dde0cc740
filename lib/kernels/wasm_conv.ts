/**
 * Our own `Conv2D` and `FusedConv2D` kernels for tfjs's wasm backend: direct convolutions in
 * WebAssembly SIMD (scripts/build_kernels.ts) that run in the backend's own memory, with bias and
 * PReLU fused in. They replace tfjs-wasm's kernels for the convolutions MTCNN has (stride 1,
 * no padding, no dilation, NHWC, float32) and hand every other case back to tfjs's kernel.
 *
 * Why: tfjs-wasm's convolution (XNNPACK) runs a 3-input-channel layer at a third of the speed of
 * its other layers and applies PReLU in a second pass; ours keeps P pixels x V vectors of output
 * channels in registers and uses fused multiply-add (relaxed SIMD) where the runtime has it.
 * Measured on PNet's first layer at 1152x648: 35 ms -> 16 ms (docs/speed.md).
 *
 * Detection and training share them: both call `tf.fused.conv2d` / `tf.conv2d` on the wasm
 * backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { kernelsOf, type WasmBackendLike } from "./instance.ts";
import { type ConvArgs, runConv, type WinogradTile } from "./run_conv.ts";

export { channelGroups } from "./instance.ts";

/** `Conv2D`'s and `FusedConv2D`'s attributes. */
export interface ConvAttrs {
  readonly strides: number | [number, number];
  readonly pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  readonly dataFormat?: string;
  readonly dilations?: number | [number, number];
  readonly dimRoundingMode?: "floor" | "round" | "ceil";
  readonly activation?: string;
}

const isOne = (v: number | [number, number] | undefined) =>
  v === undefined || v === 1 || (Array.isArray(v) && v[0] === 1 && v[1] === 1);

/** Whether the attributes describe a case our kernel computes (stride 1, VALID, NHWC). */
const ours = (x: tf.TensorInfo, filter: tf.TensorInfo, attrs: ConvAttrs): boolean => {
  if (x.dtype !== "float32" || filter.dtype !== "float32") return false;
  if (x.shape.length !== 4 || filter.shape.length !== 4) return false;
  if ((attrs.dataFormat ?? "NHWC") !== "NHWC") return false;
  if (!isOne(attrs.strides) || !isOne(attrs.dilations)) return false;
  const valid = attrs.pad === "valid" || attrs.pad === 0 ||
    (attrs.pad === "same" && filter.shape[0] === 1 && filter.shape[1] === 1);
  return valid;
};

let enabled = true;
let winograd = true;
let tile: WinogradTile | "auto" = "auto";
let installed = false;

/**
 * Turns our wasm convolution kernels on (the default) or off (tfjs-wasm's own kernels run), e.g.
 * to compare the two; `winograd: false` keeps direct convolution for the 3x3 layers too;
 * `tile` forces Winograd F(2x2, 3x3), F(3x3, 3x3) or F(4x4, 3x3) on every Winograd layer instead
 * of the choice by output size ("auto", run_conv.ts's `winogradTile`).
 * Affects only the wasm backend.
 */
export const setWasmConvKernels = (
  on: boolean,
  options: { winograd?: boolean; tile?: WinogradTile | "auto" } = {},
): void => {
  enabled = on;
  winograd = options.winograd ?? true;
  tile = options.tile ?? "auto";
};

/**
 * Whether our convolution kernels run on the current wasm backend, and with fused multiply-add.
 * `undefined` when the current backend is not wasm or the kernels are off.
 */
export const wasmConvKernels = (): { readonly fma: boolean } | undefined => {
  if (!enabled || !installed || tf.getBackend() !== "wasm") return undefined;
  const k = kernelsOf(tf.backend() as unknown as WasmBackendLike);
  return k ? { fma: k.fma } : undefined;
};

/**
 * Registers our `Conv2D` and `FusedConv2D` for the wasm backend in place of tfjs's, which still
 * run every case ours does not cover (idempotent; called by `useBackend`). Needs
 * `@tensorflow/tfjs-backend-wasm` imported first.
 */
export const installWasmConvKernels = (): void => {
  if (installed) return;
  const conv = tf.getKernel("Conv2D", "wasm");
  const fused = tf.getKernel("FusedConv2D", "wasm");
  if (!conv || !fused) return;
  installed = true;
  tf.unregisterKernel("Conv2D", "wasm");
  tf.registerKernel({
    ...conv,
    kernelFunc: (args) => {
      const { x, filter } = args.inputs as unknown as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const attrs = args.attrs as unknown as ConvAttrs;
      const backend = args.backend as unknown as WasmBackendLike;
      const r = enabled && ours(x, filter, attrs)
        ? runConv(backend, { x, filter, activation: "linear" }, winograd, tile)
        : undefined;
      return r ?? conv.kernelFunc(args);
    },
  });
  tf.unregisterKernel("FusedConv2D", "wasm");
  tf.registerKernel({
    ...fused,
    kernelFunc: (args) => {
      const a = fusedConvArgs(
        args.inputs as unknown as FusedConvInputs,
        args.attrs as unknown as ConvAttrs,
      );
      const r = a
        ? runConv(args.backend as unknown as WasmBackendLike, a, winograd, tile)
        : undefined;
      return r ?? fused.kernelFunc(args);
    },
  });
};

/** `FusedConv2D`'s inputs. */
export interface FusedConvInputs {
  readonly x: tf.TensorInfo;
  readonly filter: tf.TensorInfo;
  readonly bias?: tf.TensorInfo;
  readonly preluActivationWeights?: tf.TensorInfo;
}

/**
 * The convolution our `FusedConv2D` computes for these inputs and attributes, or undefined when
 * our kernels are off or the case is not ours (then tfjs's kernel runs).
 */
export const fusedConvArgs = (
  inputs: FusedConvInputs,
  attrs: ConvAttrs,
): ConvArgs | undefined => {
  const { x, filter, bias } = inputs;
  const alpha = inputs.preluActivationWeights;
  const co = filter.shape[3];
  const activation = attrs.activation ?? "linear";
  const fits = enabled && ours(x, filter, attrs) &&
    (activation === "linear" || activation === "relu" ||
      (activation === "prelu" && alpha !== undefined && sizeOf(alpha) === co)) &&
    (!bias || (sizeOf(bias) === co && bias.dtype === "float32")) &&
    (!alpha || alpha.dtype === "float32");
  return fits
    ? { x, filter, bias, alpha, activation: activation as ConvArgs["activation"] }
    : undefined;
};

/** Whether our 3x3 convolutions run as Winograd (see {@linkcode setWasmConvKernels}). */
export const wasmWinogradOn = (): boolean => winograd;

/** The Winograd tile our 3x3 convolutions take (see {@linkcode setWasmConvKernels}). */
export const wasmWinogradTile = (): WinogradTile | "auto" => tile;

const sizeOf = (t: tf.TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);
