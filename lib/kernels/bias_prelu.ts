/**
 * The two PReLU passes of the training-mode convolution + bias + PReLU op
 * (lib/nets/conv_prelu_op.ts): forward, y = PReLU(z) from the kept pre-activation z = conv(x) +
 * bias; backward, dZ and the bias and alpha gradients in one pass over z. Inputs are borrowed;
 * outputs are new tensors of the backend.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { floats, offsetOf, sizeOf, type WasmBackendLike } from "./instance.ts";
import { trainKernelsOf } from "./train_instance.ts";

/** lcm(c, 4): the kernels' scratch holds per-channel vectors repeated over that many floats. */
const period = (c: number): number => (c % 4 === 0 ? c : c % 2 === 0 ? 2 * c : 4 * c);

/**
 * y = z >= 0 ? z : z * alpha (alpha over the last axis), as the fused detection convolution
 * applies PReLU to the same z (conv + bias), so y is bit for bit the detection output.
 */
export const runPreluForward = (
  backend: WasmBackendLike,
  z: tf.TensorInfo,
  alpha: tf.TensorInfo,
): tf.TensorInfo | undefined => {
  const k = trainKernelsOf(backend);
  if (!k || !floats(z, alpha) || z.shape.length === 0) return undefined;
  const c = z.shape[z.shape.length - 1];
  if (sizeOf(alpha.shape) !== c) return undefined;
  const zp = offsetOf(backend, z), ap = offsetOf(backend, alpha);
  if (zp === undefined || ap === undefined) return undefined;
  const y = backend.makeOutput([...z.shape], "float32");
  const scratch = backend.wasm._malloc(period(c) * 4);
  try {
    k.preluForward(zp, ap, sizeOf(z.shape) / c, c, offsetOf(backend, y) as number, scratch);
  } finally {
    backend.wasm._free(scratch);
  }
  return y;
};

/**
 * [dz, dbias, dalpha] from dy and the saved pre-activation z (alpha over the last axis):
 * dz = z > 0 ? dy : dy * alpha; dbias and dalpha shaped like bias and alpha.
 */
export const runBiasPreluGrad = (
  backend: WasmBackendLike,
  dy: tf.TensorInfo,
  z: tf.TensorInfo,
  alpha: tf.TensorInfo,
  biasShape: readonly number[],
): tf.TensorInfo[] | undefined => {
  const k = trainKernelsOf(backend);
  if (!k || !floats(dy, z, alpha) || z.shape.length === 0) return undefined;
  const c = z.shape[z.shape.length - 1];
  if (sizeOf(alpha.shape) !== c || sizeOf(biasShape) !== c) return undefined;
  if (dy.shape.length !== z.shape.length || dy.shape.some((d, i) => d !== z.shape[i])) return;
  const zp = offsetOf(backend, z), dp = offsetOf(backend, dy), ap = offsetOf(backend, alpha);
  if (zp === undefined || dp === undefined || ap === undefined) return undefined;
  const dz = backend.makeOutput([...z.shape], "float32");
  const db = backend.makeOutput([...biasShape], "float32");
  const da = backend.makeOutput([...alpha.shape], "float32");
  const at = (t: tf.TensorInfo) => offsetOf(backend, t) as number;
  const scratch = backend.wasm._malloc(3 * period(c) * 4);
  try {
    k.biasPreluGrad(zp, dp, ap, sizeOf(z.shape) / c, c, at(dz), at(db), at(da), scratch);
  } finally {
    backend.wasm._free(scratch);
  }
  return [dz, db, da];
};
