/**
 * The three layer kinds of MTCNN, shared by the nets. All convolutions are stride 1, VALID,
 * with bias (docs/networks.md, "Layouts").
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { convPreluOp, useConvPreluOp } from "./conv_prelu_op.ts";
import { asTensor, type TensorRef } from "./tensors.ts";

/**
 * Convolution + bias, then PReLU with a per-channel alpha when given. Detection (no gradient
 * tape) runs the fused convolution; under a tape, where the backend has it, the same arithmetic
 * as one op with its own gradient (conv_prelu_op.ts) instead of the three ops tfjs unfuses it
 * into.
 */
export const convPrelu = (
  x: tf.Tensor4D,
  kernel: TensorRef,
  bias: TensorRef,
  alpha?: TensorRef,
): tf.Tensor4D =>
  useConvPreluOp()
    ? convPreluOp(x, asTensor<tf.Tensor4D>(kernel), asTensor(bias), alpha && asTensor(alpha))
    : tf.fused.conv2d({
      x,
      filter: asTensor<tf.Tensor4D>(kernel),
      strides: 1,
      pad: "valid",
      bias: asTensor(bias),
      activation: alpha ? "prelu" : "linear",
      preluActivationWeights: alpha && asTensor(alpha),
    });

/** Dense layer + bias, then PReLU when an alpha is given. */
export const densePrelu = (
  x: tf.Tensor2D,
  kernel: TensorRef,
  bias: TensorRef,
  alpha?: TensorRef,
): tf.Tensor2D =>
  tf.fused.matMul({
    a: x,
    b: asTensor<tf.Tensor2D>(kernel),
    bias: asTensor(bias),
    activation: alpha ? "prelu" : "linear",
    preluActivationWeights: alpha && asTensor(alpha),
  }) as tf.Tensor2D;

/**
 * Flattens an NHWC feature map in the order the published dense weights expect: N, W, H, C
 * (the Python package's Permute((2, 1, 3)) before Flatten).
 */
export const flattenWHC = (x: tf.Tensor4D): tf.Tensor2D =>
  tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [x.shape[0], -1]);
