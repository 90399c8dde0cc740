/**
 * ONet, the output network: scores, regresses and places five landmarks on 48x48 crops.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { convLayer, convStack, pool } from "./conv_pool.ts";
import { densePrelu, flattenWHC } from "./layers.ts";
import type { NetTensors, TensorRef } from "./tensors.ts";

/** The pools after the convolutions: window, padding (stride 2). */
const POOL2_SAME = pool(2, "same");
const POOL3_SAME = pool(3, "same");
const POOL3_VALID = pool(3, "valid");

/** ONet's heads for an N x 48 x 48 x 3 batch. */
export interface ONetOutput<T = TensorRef> {
  /** N x 4 box regression (dx1, dy1, dx2, dy2), in units of the crop's side. */
  readonly bbox: T;
  /** N x 10 landmarks: x1..x5 then y1..y5, as fractions of the crop. */
  readonly landmarks: T;
  /** N x 2 softmax probabilities [non-face, face]. */
  readonly prob: T;
}

/**
 * ONet as a pure function of its weights and a normalized N x 48 x 48 x 3 batch. Borrows its
 * inputs, returns new tensors.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * import { onet, toTensors } from "@mtcnn/mtcnn/train";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const out = onet(toTensors(w.right.onet))(tf.zeros([10, 48, 48, 3]));
 *   console.log(out.bbox.shape, out.landmarks.shape, out.prob.shape); // [10,4] [10,10] [10,2]
 * }
 * ```
 */
export const onet = (w: NetTensors<"onet">): (x: tf.Tensor4D) => ONetOutput<tf.Tensor2D> => (x) =>
  tf.tidy(() => {
    const h = convStack(x, [
      convLayer(w, 1, POOL3_SAME),
      convLayer(w, 2, POOL3_VALID),
      convLayer(w, 3, POOL2_SAME),
      convLayer(w, 4),
    ]);
    const f = densePrelu(flattenWHC(h), w["fc5/kernel"], w["fc5/bias"], w["prelu5/alpha"]);
    const bbox = densePrelu(f, w["fc6-1/kernel"], w["fc6-1/bias"]);
    const landmarks = densePrelu(f, w["fc6-2/kernel"], w["fc6-2/bias"]);
    const prob = tf.softmax(densePrelu(f, w["fc6-3/kernel"], w["fc6-3/bias"]));
    return { bbox, landmarks, prob };
  });
