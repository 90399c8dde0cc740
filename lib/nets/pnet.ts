/**
 * PNet, the proposal network: a fully convolutional net that scores every 12x12 window
 * (stride 2) of an image.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { convPreluPool, pool } from "./conv_pool.ts";
import { convPrelu } from "./layers.ts";
import type { NetTensors, TensorRef } from "./tensors.ts";

/** The pool after conv1: 2 x 2 windows, stride 2, SAME. */
const POOL2_SAME = pool(2, "same");

/** PNet's two heads for an N x H x W x 3 input: N x H' x W' x 4 and N x H' x W' x 2. */
export interface PNetOutput<T = TensorRef> {
  /** Box regression (dx1, dy1, dx2, dy2) per cell, in units of the 12 px window. */
  readonly bbox: T;
  /** Softmax probabilities [non-face, face] per cell. */
  readonly prob: T;
}

/**
 * PNet as a pure function of its weights and a normalized NHWC batch (H, W >= 12); the output
 * side is floor((H - 2) / 2) - 4 + ... e.g. 100 -> 45. Borrows its inputs, returns new tensors.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * import { pnet, toTensors } from "@mtcnn/mtcnn/train";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const t = toTensors(w.right.pnet);
 *   const { bbox, prob } = pnet(t)(tf.zeros([1, 100, 100, 3]));
 *   console.log(bbox.shape, prob.shape); // [1, 45, 45, 4] [1, 45, 45, 2]
 * }
 * ```
 */
export const pnet = (w: NetTensors<"pnet">): (x: tf.Tensor4D) => PNetOutput<tf.Tensor4D> => (x) =>
  tf.tidy(() => {
    let h = convPreluPool(x, w["conv1/kernel"], w["conv1/bias"], w["prelu1/alpha"], POOL2_SAME);
    h = convPrelu(h, w["conv2/kernel"], w["conv2/bias"], w["prelu2/alpha"]);
    h = convPrelu(h, w["conv3/kernel"], w["conv3/bias"], w["prelu3/alpha"]);
    const bbox = convPrelu(h, w["conv4-1/kernel"], w["conv4-1/bias"]);
    const prob = tf.softmax(convPrelu(h, w["conv4-2/kernel"], w["conv4-2/bias"])) as tf.Tensor4D;
    return { bbox, prob };
  });
