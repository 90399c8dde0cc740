/**
 * RNet, the refinement network: scores and regresses 24x24 candidate crops.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { convLayer, convStack, pool } from "./conv_pool.ts";
import { densePrelu, flattenWHC } from "./layers.ts";
import type { NetTensors, TensorRef } from "./tensors.ts";

/** The pools after the convolutions: window, padding (stride 2). */
const POOL3_SAME = pool(3, "same");
const POOL3_VALID = pool(3, "valid");

/** RNet's heads for an N x 24 x 24 x 3 batch. */
export interface RNetOutput<T = TensorRef> {
  /** N x 4 box regression (dx1, dy1, dx2, dy2), in units of the crop's side. */
  readonly bbox: T;
  /** N x 2 softmax probabilities [non-face, face]. */
  readonly prob: T;
}

/**
 * RNet as a pure function of its weights and a normalized N x 24 x 24 x 3 batch. Borrows its
 * inputs, returns new tensors.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * import { rnet, toTensors } from "@mtcnn/mtcnn/train";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const { bbox, prob } = rnet(toTensors(w.right.rnet))(tf.zeros([10, 24, 24, 3]));
 *   console.log(bbox.shape, prob.shape); // [10, 4] [10, 2]
 * }
 * ```
 */
export const rnet = (w: NetTensors<"rnet">): (x: tf.Tensor4D) => RNetOutput<tf.Tensor2D> => (x) =>
  tf.tidy(() => {
    const h = convStack(x, [
      convLayer(w, 1, POOL3_SAME),
      convLayer(w, 2, POOL3_VALID),
      convLayer(w, 3),
    ]);
    const f = densePrelu(flattenWHC(h), w["fc4/kernel"], w["fc4/bias"], w["prelu4/alpha"]);
    const bbox = densePrelu(f, w["fc5-1/kernel"], w["fc5-1/bias"]);
    const prob = tf.softmax(densePrelu(f, w["fc5-2/kernel"], w["fc5-2/bias"]));
    return { bbox, prob };
  });
