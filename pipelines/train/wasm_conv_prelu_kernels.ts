/**
 * The wasm kernels of the training-mode convolution + bias + PReLU op (lib/nets/conv_prelu_op.ts):
 * forward, the backend's `FusedConv2D` (our convolution kernels, lib/kernels/wasm_conv.ts) with a
 * linear activation gives z (a matrix product where the output is 1 x 1), then one pass gives
 * y = PReLU(z); backward, one pass gives dZ and the
 * bias and alpha gradients (lib/kernels/bias_prelu.ts). Installed with our other training
 * kernels (wasm_train_kernels.ts), and removed when those are turned off.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackendLike } from "../../lib/kernels/instance.ts";
import { runBiasPreluGrad, runPreluForward } from "../../lib/kernels/bias_prelu.ts";
import { runConv } from "../../lib/kernels/run_conv.ts";
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
  if (h !== kh || w !== kw || kh * kw === 1 || wasmConvKernels() === undefined) return undefined;
  const view = (t: tf.TensorInfo, shape: number[]) => ({ ...t, shape });
  const z = runConv(backend, {
    x: view(x, [1, 1, n, h * w * ci]),
    filter: view(filter, [1, 1, h * w * ci, co]),
    bias,
    activation: "linear",
  }, false);
  return z && view(z, [n, 1, 1, co]);
};

const forward: tf.KernelConfig = {
  kernelName: CONV_PRELU_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend }) => {
    const { x, filter, bias, alpha } = inputs as unknown as Record<string, tf.TensorInfo>;
    const z = matrixProduct(backend as unknown as WasmBackendLike, x, filter, bias) ??
      fusedConv(x, filter, bias, backend);
    if (!alpha) return [z];
    const y = runPreluForward(backend as unknown as WasmBackendLike, z, alpha);
    if (!y) throw new Error(`${CONV_PRELU_KERNEL}: unsupported alpha ${alpha.shape}`);
    return [y, z];
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
