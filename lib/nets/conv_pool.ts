/**
 * Convolutions + bias + PReLU, each followed by a max pool or not, for detection: one op where a
 * backend has a kernel for it ({@linkcode CONV_STACK_KERNEL}: the wasm backend's runs the layers
 * over a few crops at a time, so that each layer's output is still in cache when the next reads
 * it, and never makes the whole intermediate maps). Under a gradient tape, or on a backend
 * without the kernel, it is `convPrelu` and `tf.maxPool` one after the other, the ops training
 * differentiates. Both give the same bits: the kernel runs the same convolutions and pools on
 * each image.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { convPrelu } from "./layers.ts";
import { asTensor, type TensorRef } from "./tensors.ts";
import { tapeIsOn } from "../taped_op.ts";

/**
 * Kernel: inputs x, then filter{i}, bias{i} (and alpha{i}) for each layer i; attribute `pools`,
 * per layer the max pool after its convolution (`filterSize`, `strides`, `pad`, as `MaxPool`
 * gets them) or null; output the last layer's map. Each convolution is stride 1, VALID, NHWC,
 * with PReLU where the layer has an alpha.
 */
export const CONV_STACK_KERNEL = "MtcnnConvPreluPoolStack";

/** A max pool after a convolution: square window, stride, padding. */
export interface PoolSpec {
  readonly size: number;
  readonly stride: number;
  readonly pad: "same" | "valid";
}

/** A stride-2 max pool of `size` x `size` windows (MTCNN's pools). */
export const pool = (size: number, pad: "same" | "valid"): PoolSpec => ({ size, stride: 2, pad });

/** One layer of {@linkcode convStack}: convolution + bias (+ PReLU), then a max pool or not. */
export interface ConvLayer {
  readonly kernel: TensorRef;
  readonly bias: TensorRef;
  readonly alpha?: TensorRef;
  readonly pool?: PoolSpec;
}

/**
 * The layers one after the other: one kernel in detection where the backend has it, the ops
 * otherwise. Borrows its inputs, returns a new tensor.
 */
export const convStack = (x: tf.Tensor4D, layers: readonly ConvLayer[]): tf.Tensor4D => {
  if (tapeIsOn() || tf.getKernel(CONV_STACK_KERNEL, tf.getBackend()) === undefined) {
    return tf.tidy(() =>
      layers.reduce((h, l) => {
        const y = convPrelu(h, l.kernel, l.bias, l.alpha);
        return l.pool ? tf.maxPool(y, l.pool.size, l.pool.stride, l.pool.pad) : y;
      }, x)
    );
  }
  const inputs: tf.NamedTensorMap = { x };
  for (const [i, l] of layers.entries()) {
    inputs[`filter${i}`] = asTensor(l.kernel);
    inputs[`bias${i}`] = asTensor(l.bias);
    if (l.alpha) inputs[`alpha${i}`] = asTensor(l.alpha);
  }
  const pools = layers.map(({ pool: p }) =>
    p ? { filterSize: p.size, strides: p.stride, pad: p.pad } : null
  );
  return tf.engine().runKernel(CONV_STACK_KERNEL, inputs, {
    pools,
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
};

/** maxPool(PReLU(conv(x, kernel) + bias)) (just the bias without alpha): a stack of one. */
export const convPreluPool = (
  x: tf.Tensor4D,
  kernel: TensorRef,
  bias: TensorRef,
  alpha: TensorRef | undefined,
  pool: PoolSpec,
): tf.Tensor4D => convStack(x, [{ kernel, bias, alpha, pool }]);

/** Layer `i` of a net's weights (`conv{i}/kernel`, `conv{i}/bias`, `prelu{i}/alpha`), then `pool`. */
export const convLayer = (
  w: Readonly<Record<string, TensorRef>>,
  i: number,
  pool?: PoolSpec,
): ConvLayer => ({
  kernel: w[`conv${i}/kernel`],
  bias: w[`conv${i}/bias`],
  alpha: w[`prelu${i}/alpha`],
  pool,
});
