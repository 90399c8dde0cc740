/**
 * Convolution + bias + PReLU as one differentiable op, for training: what `tf.fused.conv2d`
 * computes, with its own gradient. Under a gradient tape tfjs runs a fused convolution as three
 * ops (convolution, bias add, PReLU) with three gradients; on PNet's small batches that
 * per-op work cost more than the arithmetic (docs/training.md, "Training speed"). This op runs
 * two kernels forward (the detection convolution without its activation, keeping the
 * pre-activation z, then PReLU) and one pass backward for dZ and the bias and alpha gradients,
 * then the filter and input gradients; the input gradient only when the input needs one (never
 * for a net's first layer). A backend has it when it registers {@linkcode CONV_PRELU_KERNEL}
 * and {@linkcode BIAS_PRELU_GRAD_KERNEL} (the wasm backend's training kernels do); elsewhere,
 * and with no tape, `convPrelu` (layers.ts) runs the fused convolution detection runs.
 *
 * All MTCNN convolutions are stride 1, VALID, NHWC.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runTapedOp, tapeIsOn } from "../taped_op.ts";

/**
 * Kernel: inputs x, filter, bias (and alpha); outputs [y, z] with alpha, [y] without. A third
 * output, when the kernel gives one, is the input's patches as a [1, 1, pixels, kh * kw * ci]
 * matrix (im2col): then the filter gradient is the product of its transpose with dZ.
 */
export const CONV_PRELU_KERNEL = "MtcnnConvBiasPrelu";

/**
 * Kernel: inputs dy, z, alpha; attribute `biasShape`; outputs [dz, dbias, dalpha] with
 * dz = z > 0 ? dy : dy * alpha, dbias = sum of dz and dalpha = sum of (z > 0 ? 0 : dy * z)
 * over every axis but the last.
 */
export const BIAS_PRELU_GRAD_KERNEL = "MtcnnBiasPreluGrad";

/** Whether `convPrelu` should run this op: a gradient tape records and the backend has it. */
export const useConvPreluOp = (): boolean =>
  tapeIsOn() && tf.getKernel(CONV_PRELU_KERNEL, tf.getBackend()) !== undefined &&
  tf.getKernel(BIAS_PRELU_GRAD_KERNEL, tf.getBackend()) !== undefined;

const CONV_ATTRS = { strides: 1, pad: "valid", dataFormat: "NHWC" };

/**
 * PReLU(conv(x, filter) + bias) (just the bias without alpha), stride 1, VALID, as one taped
 * op. Borrows its inputs, returns a new tensor.
 */
export const convPreluOp = (
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor,
  alpha?: tf.Tensor,
): tf.Tensor4D => {
  const inputs: tf.NamedTensorMap = alpha ? { x, filter, bias, alpha } : { x, filter, bias };
  let patches = false;
  return runTapedOp<tf.Tensor4D>({
    inputs,
    forward: (save) => {
      const [y, z, cols] = tf.engine().runKernel(CONV_PRELU_KERNEL, inputs, {}) as tf.Tensor[];
      patches = cols !== undefined;
      // Variables (the weights being trained) outlive the backward pass: no copy on the tape.
      const kept = [filter, alpha].filter((t) => t !== undefined && !(t instanceof tf.Variable));
      save([cols ?? x, ...(alpha ? [z] : []), ...kept as tf.Tensor[]]);
      return y;
    },
    backward: (dy, saved) => {
      const [sx, ...rest] = saved;
      const z = alpha ? rest.shift() : undefined;
      const sf = filter instanceof tf.Variable ? filter : rest.shift() as tf.Tensor4D;
      const a = alpha && (alpha instanceof tf.Variable ? alpha : rest.shift());
      // Computed once here (tfjs calls the gradient function once, then each input's closure).
      const [dz, dbias, dalpha] = a && z
        ? tf.engine().runKernel(BIAS_PRELU_GRAD_KERNEL, { dy, z, alpha: a }, {
          biasShape: bias.shape,
        }) as tf.Tensor[]
        : [dy, tf.reshape(tf.sum(dy, [0, 1, 2]), bias.shape)];
      const grads: Record<string, () => tf.Tensor> = {
        x: () =>
          tf.engine().runKernel("Conv2DBackpropInput", { dy: dz, filter: sf }, {
            ...CONV_ATTRS,
            inputShape: x.shape,
          }) as tf.Tensor,
        filter: () => {
          if (!patches) {
            return tf.engine().runKernel("Conv2DBackpropFilter", { x: sx, dy: dz }, {
              ...CONV_ATTRS,
              filterShape: sf.shape,
            }) as tf.Tensor;
          }
          const [pixels, taps, co] = [sx.shape[2], sx.shape[3], sf.shape[3]] as number[];
          const g = tf.engine().runKernel("Conv2DBackpropFilter", {
            x: sx,
            dy: tf.reshape(dz, [1, 1, pixels, co]),
          }, { ...CONV_ATTRS, filterShape: [1, 1, taps, co] }) as tf.Tensor;
          return tf.reshape(g, sf.shape);
        },
        bias: () => dbias,
      };
      if (a) grads.alpha = () => dalpha;
      return grads;
    },
  });
};
