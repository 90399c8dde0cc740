/**
 * Convolution + bias + PReLU followed by a max pool, for detection: one op where a backend has a
 * kernel for it ({@linkcode CONV_PRELU_POOL_KERNEL}: the wasm backend's runs the two over a few
 * crops at a time, so that the convolution's output is still in cache when the pool reads it,
 * and never makes the whole convolution output). Under a gradient tape, or on a backend without
 * the kernel, it is `convPrelu` then `tf.maxPool`, the ops training differentiates. Both give the
 * same bits: the kernel runs the same convolution and pool on each image.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { convPrelu } from "./layers.ts";
import { asTensor, type TensorRef } from "./tensors.ts";
import { tapeIsOn } from "../taped_op.ts";

/**
 * Kernel: inputs x, filter, bias (and alpha); attributes `filterSize`, `strides`, `pad` of the
 * max pool (as `MaxPool` gets them); output maxPool(PReLU(conv(x, filter) + bias)), the
 * convolution stride 1, VALID, NHWC.
 */
export const CONV_PRELU_POOL_KERNEL = "MtcnnConvPreluMaxPool";

/** A max pool after a convolution: square window, stride, padding. */
export interface PoolSpec {
  readonly size: number;
  readonly stride: number;
  readonly pad: "same" | "valid";
}

/**
 * maxPool(PReLU(conv(x, kernel) + bias)), with `alpha` (just the bias without it): one kernel in
 * detection where the backend has it, the two ops otherwise. Borrows its inputs, returns a new
 * tensor.
 */
export const convPreluPool = (
  x: tf.Tensor4D,
  kernel: TensorRef,
  bias: TensorRef,
  alpha: TensorRef | undefined,
  pool: PoolSpec,
): tf.Tensor4D => {
  if (tapeIsOn() || tf.getKernel(CONV_PRELU_POOL_KERNEL, tf.getBackend()) === undefined) {
    return tf.tidy(() =>
      tf.maxPool(convPrelu(x, kernel, bias, alpha), pool.size, pool.stride, pool.pad)
    );
  }
  const inputs: tf.NamedTensorMap = {
    x,
    filter: asTensor(kernel),
    bias: asTensor(bias),
    ...(alpha ? { alpha: asTensor(alpha) } : {}),
  };
  const attrs = { filterSize: pool.size, strides: pool.stride, pad: pool.pad };
  return tf.engine().runKernel(CONV_PRELU_POOL_KERNEL, inputs, attrs) as tf.Tensor4D;
};

/** A stride-2 max pool of `size` x `size` windows (MTCNN's pools). */
export const pool = (size: number, pad: "same" | "valid"): PoolSpec => ({ size, stride: 2, pad });
