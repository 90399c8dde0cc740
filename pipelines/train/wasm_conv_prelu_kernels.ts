/**
 * The wasm kernels of the training-mode convolution + bias + PReLU op (lib/nets/conv_prelu_op.ts):
 * forward, the backend's `FusedConv2D` (our convolution kernels, lib/kernels/wasm_conv.ts) with a
 * linear activation gives z, then one pass gives y = PReLU(z); backward, one pass gives dZ and the
 * bias and alpha gradients (lib/kernels/bias_prelu.ts). Installed with our other training
 * kernels (wasm_train_kernels.ts), and removed when those are turned off.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackendLike } from "../../lib/kernels/instance.ts";
import { runBiasPreluGrad, runPreluForward } from "../../lib/kernels/bias_prelu.ts";
import { BIAS_PRELU_GRAD_KERNEL, CONV_PRELU_KERNEL } from "../../lib/nets/conv_prelu_op.ts";

const LINEAR_CONV = {
  strides: 1,
  pad: "valid",
  dataFormat: "NHWC",
  dilations: 1,
  activation: "linear",
};

const forward: tf.KernelConfig = {
  kernelName: CONV_PRELU_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend }) => {
    const { x, filter, bias, alpha } = inputs as unknown as Record<string, tf.TensorInfo>;
    const conv = tf.getKernel("FusedConv2D", "wasm");
    if (!conv) throw new Error(`${CONV_PRELU_KERNEL}: the wasm backend has no FusedConv2D`);
    const z = conv.kernelFunc({
      inputs: { x, filter, bias } as unknown as tf.NamedTensorInfoMap,
      attrs: LINEAR_CONV as unknown as tf.NamedAttrMap,
      backend,
    }) as tf.TensorInfo;
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
