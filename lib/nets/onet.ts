/**
 * ONet, the output network: scores, regresses and places five landmarks on 48x48 crops.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { convPreluPool, pool } from "./conv_pool.ts";
import { convPrelu, densePrelu, flattenWHC } from "./layers.ts";
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
    let h = convPreluPool(x, w["conv1/kernel"], w["conv1/bias"], w["prelu1/alpha"], POOL3_SAME);
    h = convPreluPool(h, w["conv2/kernel"], w["conv2/bias"], w["prelu2/alpha"], POOL3_VALID);
    h = convPreluPool(h, w["conv3/kernel"], w["conv3/bias"], w["prelu3/alpha"], POOL2_SAME);
    h = convPrelu(h, w["conv4/kernel"], w["conv4/bias"], w["prelu4/alpha"]);
    const f = densePrelu(flattenWHC(h), w["fc5/kernel"], w["fc5/bias"], w["prelu5/alpha"]);
    const bbox = densePrelu(f, w["fc6-1/kernel"], w["fc6-1/bias"]);
    const landmarks = densePrelu(f, w["fc6-2/kernel"], w["fc6-2/bias"]);
    const prob = tf.softmax(densePrelu(f, w["fc6-3/kernel"], w["fc6-3/bias"]));
    return { bbox, landmarks, prob };
  });
