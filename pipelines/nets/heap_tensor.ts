/**
 * A float32 tensor whose values are written in place: on tfjs's wasm backend straight into the
 * backend's heap (no JS array to allocate, no copy into the heap), elsewhere into a new array
 * that becomes the tensor. For the nets' inputs (crops, pyramid levels), which are computed
 * value by value anyway.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { offsetOf, type WasmBackendLike } from "../../lib/kernels/instance.ts";

/**
 * A new 4-D tensor of `shape` whose values `fill` writes into `out` (its length is the tensor's
 * size; start at 0). The caller owns the tensor.
 */
export const filledTensor = (
  shape: [number, number, number, number],
  fill: (out: Float32Array) => void,
): tf.Tensor4D => {
  const size = shape.reduce((a, b) => a * b, 1);
  if (tf.getBackend() === "wasm" && size > 0) {
    const backend = tf.backend() as unknown as WasmBackendLike;
    const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
    if (memory instanceof WebAssembly.Memory) {
      // Allocated (and registered) as a kernel's output is; wrapped the way the engine wraps one.
      const info = backend.makeOutput(shape, "float32");
      const offset = offsetOf(backend, info);
      if (offset !== undefined) {
        // A view made after the allocation: growing the memory detaches older ones.
        fill(new Float32Array(memory.buffer, offset, size));
        return tf.engine().makeTensorFromTensorInfo(info, tf.backend()) as tf.Tensor4D;
      }
    }
  }
  const data = new Float32Array(size);
  fill(data);
  return tf.tensor4d(data, shape, "float32");
};
