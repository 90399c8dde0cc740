/**
 * The three layer kinds of MTCNN, shared by the nets. All convolutions are stride 1, VALID,
 * with bias (networks.md).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Convolution + bias, then PReLU with a per-channel alpha when given. */
export const convPrelu = (
  x: tf.Tensor4D,
  kernel: tf.Tensor,
  bias: tf.Tensor,
  alpha?: tf.Tensor,
): tf.Tensor4D =>
  tf.fused.conv2d({
    x,
    filter: kernel as tf.Tensor4D,
    strides: 1,
    pad: "valid",
    bias,
    activation: alpha ? "prelu" : "linear",
    preluActivationWeights: alpha,
  });

/** Dense layer + bias, then PReLU when an alpha is given. */
export const densePrelu = (
  x: tf.Tensor2D,
  kernel: tf.Tensor,
  bias: tf.Tensor,
  alpha?: tf.Tensor,
): tf.Tensor2D =>
  tf.fused.matMul({
    a: x,
    b: kernel as tf.Tensor2D,
    bias,
    activation: alpha ? "prelu" : "linear",
    preluActivationWeights: alpha,
  }) as tf.Tensor2D;

/**
 * Flattens an NHWC feature map in the order the published dense weights expect: N, W, H, C
 * (the Python package's Permute((2, 1, 3)) before Flatten).
 */
export const flattenWHC = (x: tf.Tensor4D): tf.Tensor2D =>
  tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [x.shape[0], -1]);
