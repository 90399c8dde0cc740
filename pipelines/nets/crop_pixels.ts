/**
 * The pixels of a crop batch, cut where the net runs from the image's summed-area table.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { areaResample } from "../../lib/area_resample.ts";
import type { CropBatch } from "../state.ts";
import { resampledTensor } from "./heap_tensor.ts";

/**
 * The pixels of a crop batch: its `data`, or the crops cut now from its summed-area table
 * (area-resampled, normalized).
 */
export const cropPixels = (batch: CropBatch): Float32Array => {
  if (batch.data) return batch.data;
  const data = new Float32Array(batch.count * batch.size * batch.size * 3);
  cutCrops(batch, data);
  return data;
};

/**
 * Cuts a crop batch's crops from its summed-area table into `data` (count * size * size * 3
 * values from index 0), area-resampled and normalized.
 */
export const cutCrops = (batch: CropBatch, data: Float32Array): void => {
  const { size, count, rects, sat } = batch;
  const per = size * size * 3;
  for (let i = 0; i < count; i++) {
    const r = 4 * i;
    areaResample(
      sat,
      rects[r],
      rects[r + 1],
      rects[r + 2],
      rects[r + 3],
      size,
      size,
      data,
      i * per,
    );
  }
};

/**
 * A crop batch's crops cut now into a new tensor [count, size, size, 3] (on tfjs's wasm backend,
 * by our kernel straight into its heap). The caller owns the tensor.
 */
export const cropTensor = (batch: CropBatch): tf.Tensor4D =>
  resampledTensor(batch.sat, batch.rects, batch.count, batch.size, batch.size);
