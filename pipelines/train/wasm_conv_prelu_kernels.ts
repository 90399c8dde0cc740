/**
 * The wasm kernels of the training-mode convolution + bias + PReLU op (lib/nets/conv_prelu_op.ts).
 * Forward: z = conv(x) + bias by the backend's `FusedConv2D` with a linear activation (our
 * convolution kernels, lib/kernels/wasm_conv.ts), or as a matrix product where the output is
 * 1 x 1, or as a product of the input's patches where it is small (then the patches are a third
 * output); then one pass gives y = PReLU(z). Backward: one pass gives dZ and the bias and alpha
 * gradients (lib/kernels/bias_prelu.ts). Installed with our other training kernels
 * (wasm_train_kernels.ts), and removed when those are turned off.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { offsetOf, type WasmBackendLike } from "../../lib/kernels/instance.ts";
import { runBiasPreluGrad, runPreluForward } from "../../lib/kernels/bias_prelu.ts";
import { runConv } from "../../lib/kernels/run_conv.ts";
import { trainKernelsOf } from "../../lib/kernels/train_instance.ts";
import { wasmConvKernels } from "../../lib/kernels/wasm_conv.ts";
import { BIAS_PRELU_GRAD_KERNEL, CONV_PRELU_KERNEL } from "../../lib/nets/conv_prelu_op.ts";

const LINEAR_CONV = {
  strides: 1,
  pad: "valid",
  dataFormat: "NHWC",
  dilations: 1,
  activation: "linear",
};

/** z = conv(x) + bias by the backend's `FusedConv2D`: detection's kernel, linear. */
const fusedConv = (
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo,
  backend: unknown,
): tf.TensorInfo => {
  const conv = tf.getKernel("FusedConv2D", "wasm");
  if (!conv) throw new Error(`${CONV_PRELU_KERNEL}: the wasm backend has no FusedConv2D`);
  return conv.kernelFunc({
    inputs: { x, filter, bias } as unknown as tf.NamedTensorInfoMap,
    attrs: LINEAR_CONV as unknown as tf.NamedAttrMap,
    backend: backend as tf.KernelBackend,
  }) as tf.TensorInfo;
};

/** Our kernels are on, and the case is theirs: float32 NHWC, the filter's input channels, bias. */
const fits = (x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo): boolean =>
  wasmConvKernels() !== undefined && [x, filter, bias].every((t) => t.dtype === "float32") &&
  x.shape.length === 4 && filter.shape.length === 4 && x.shape[3] === filter.shape[2] &&
  bias.shape.reduce((a, b) => a * b, 1) === filter.shape[3];

/**
 * A filter as large as its input (a 1 x 1 output: PNet's conv3 on 12 x 12 crops) is a matrix
 * product over the images, [n, kh * kw * ci] x [kh * kw * ci, co], on the same memory: our 1 x 1
 * convolution kernel then works on many images per pass instead of one pixel per image (3x
 * faster measured). The sums run over the same taps as a direct convolution's, where detection
 * (which meets this shape only on a pyramid's 12-pixel level) may take Winograd's: the last bits
 * may differ there. Undefined for other shapes or when our kernels are off.
 */
const matrixProduct = (
  backend: WasmBackendLike,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo,
): tf.TensorInfo | undefined => {
  const [n, h, w, ci] = x.shape;
  const [kh, kw, , co] = filter.shape;
  if (h !== kh || w !== kw || kh * kw === 1 || !fits(x, filter, bias)) return undefined;
  const view = (t: tf.TensorInfo, shape: number[]) => ({ ...t, shape });
  const z = runConv(backend, {
    x: view(x, [1, 1, n, h * w * ci]),
    filter: view(filter, [1, 1, h * w * ci, co]),
    bias,
    activation: "linear",
  }, false);
  return z && view(z, [n, 1, 1, co]);
};

/**
 * Outputs of at most this many pixels per image (PNet's conv2 on 12 x 12 crops, RNet's conv3,
 * ONet's conv4) are computed as the product of the input's patches (im2col) with the filter:
 * many pixels per pass where a direct convolution works on a few per image, and the patches
 * serve again for the filter gradient. Measured (CPU ms, forward + filter gradient): PNet conv2
 * at 256 0.43 + 0.37 -> 0.30 + 0.26, RNet conv3 at 128 1.20 + 1.36 -> 1.08 + 1.06; ONet's conv3
 * (8 x 8 outputs) was twice as slow that way.
 */
const SMALL_OUTPUT = 9;

/** [z, cols] by im2col and a 1 x 1 convolution, or undefined when not a small output. */
const patchProduct = (
  backend: WasmBackendLike & { disposeData(id: unknown, force?: boolean): boolean },
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo,
): [tf.TensorInfo, tf.TensorInfo] | undefined => {
  const [n, h, w, ci] = x.shape;
  const [kh, kw, , co] = filter.shape;
  const oh = h - kh + 1, ow = w - kw + 1;
  if (kh * kw === 1 || oh * ow === 1 || oh * ow > SMALL_OUTPUT || oh < 1 || ow < 1) return;
  const k = trainKernelsOf(backend);
  const xp = offsetOf(backend, x);
  if (!k || xp === undefined || !fits(x, filter, bias)) return undefined;
  const pixels = n * oh * ow, taps = kh * kw * ci;
  const cols = backend.makeOutput([1, 1, pixels, taps], "float32");
  k.im2col(xp, n, h, w, ci, kh, kw, offsetOf(backend, cols) as number);
  const z = runConv(backend, {
    x: cols,
    filter: { ...filter, shape: [1, 1, taps, co] },
    bias,
    activation: "linear",
  }, false);
  if (!z) {
    backend.disposeData(cols.dataId, true);
    return undefined;
  }
  return [{ ...z, shape: [n, oh, ow, co] }, cols];
};

const forward: tf.KernelConfig = {
  kernelName: CONV_PRELU_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend }) => {
    const { x, filter, bias, alpha } = inputs as unknown as Record<string, tf.TensorInfo>;
    const wasm = backend as unknown as Parameters<typeof patchProduct>[0];
    const patches = alpha ? patchProduct(wasm, x, filter, bias) : undefined;
    const z = patches?.[0] ?? matrixProduct(wasm, x, filter, bias) ??
      fusedConv(x, filter, bias, backend);
    if (!alpha) return [z];
    const y = runPreluForward(wasm, z, alpha);
    if (!y) throw new Error(`${CONV_PRELU_KERNEL}: unsupported alpha ${alpha.shape}`);
    return patches ? [y, z, patches[1]] : [y, z];
  },
};

const backward: tf.KernelConfig = {
  kernelName: BIAS_PRELU_GRAD_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, z, alpha } = inputs as unknown as Record<string, tf.TensorInfo>;
    const biasShape = (attrs as unknown as { biasShape: number[] }).biasShape;
    const r = runBiasPreluGrad(backend as unknown as WasmBackendLike, dy, z, alpha, biasShape);
    if (!r) throw new Error(`${BIAS_PRELU_GRAD_KERNEL}: unsupported shapes ${z.shape}`);
    return r;
  },
};

/**
 * Registers (`on`) or removes the op's wasm kernels; without them `convPrelu` runs tfjs's
 * unfused ops under a tape. Idempotent.
 */
export const setWasmConvPreluKernels = (on: boolean): void => {
  for (const k of [forward, backward]) {
    const has = tf.getKernel(k.kernelName, "wasm") !== undefined;
    if (on && !has) tf.registerKernel(k);
    if (!on && has) tf.unregisterKernel(k.kernelName, "wasm");
  }
};
