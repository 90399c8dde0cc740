/**
 * A float32 tensor whose values are written in place: on tfjs's wasm backend straight into the
 * backend's heap (no JS array to allocate, no copy into the heap), elsewhere into a new array
 * that becomes the tensor. For the nets' inputs (crops, pyramid levels), which are computed
 * value by value anyway.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { areaResample, type SummedAreaTable } from "../../lib/area_resample.ts";
import { offsetOf, type WasmBackendLike } from "../../lib/kernels/instance.ts";
import { areaCutter } from "../../lib/kernels/wasm_area.ts";

/**
 * A new 4-D tensor of `shape` whose values `fill` writes into `out` (its length is the tensor's
 * size; start at 0). The caller owns the tensor. On the wasm backend, `inHeap` (when given) fills
 * it instead: from `offset`, the tensor's first byte in the heap, or into `view()`, a view of the
 * tensor made when called.
 */
export const filledTensor = (
  shape: [number, number, number, number],
  fill: (out: Float32Array) => void,
  inHeap?: (backend: WasmBackendLike, offset: number, view: () => Float32Array) => void,
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
        const view = () => new Float32Array(memory.buffer, offset, size);
        if (inHeap) inHeap(backend, offset, view);
        else fill(view());
        return tf.engine().makeTensorFromTensorInfo(info, tf.backend()) as tf.Tensor4D;
      }
    }
  }
  const data = new Float32Array(size);
  fill(data);
  return tf.tensor4d(data, shape, "float32");
};

/**
 * A new tensor [count, outH, outW, 3] of area-resampled pixels: rectangle k of `rects` (x0, y0,
 * w, h at 4k) of the table's image to outW x outH, normalized (lib/area_resample.ts). On tfjs's
 * wasm backend our kernel writes them into the heap (lib/kernels/wasm_area.ts); elsewhere, and
 * for what the kernel does not take, `areaResample` does: the same bits.
 */
export const resampledTensor = (
  sat: SummedAreaTable,
  rects: ArrayLike<number>,
  count: number,
  outW: number,
  outH: number,
): tf.Tensor4D => {
  const per = outW * outH * 3;
  const js = (out: Float32Array, k: number) =>
    areaResample(
      sat,
      rects[4 * k],
      rects[4 * k + 1],
      rects[4 * k + 2],
      rects[4 * k + 3],
      outW,
      outH,
      out,
      k * per,
    );
  return filledTensor(
    [count, outH, outW, 3],
    (out) => {
      for (let k = 0; k < count; k++) js(out, k);
    },
    (backend, offset, view) => {
      const cut = areaCutter(backend, sat, rects, count, outW);
      let v: Float32Array | undefined;
      for (let k = 0; k < count; k++) {
        const r = 4 * k;
        const done = cut?.(
          rects[r],
          rects[r + 1],
          rects[r + 2],
          rects[r + 3],
          outW,
          outH,
          offset + 4 * k * per,
        );
        if (!done) js(v ??= view(), k);
      }
    },
  );
};
