/**
 * The training loss of a batch split over workers: each part of the batch gives its share of
 * {@linkcode mtcnnLoss}'s total (its sums over the whole batch's counts), so that the parts'
 * losses and gradients add up to the whole batch's. OHEM's choice needs every sample's
 * cross-entropy, so a part hands its values to `choose` (which returns the part's mask and the
 * batch's counts, e.g. after the other parts have reported) from inside the gradient scope.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LossHeads, LossOptions, LossTargets } from "./losses.ts";
import { OHEM_RATIO, ohemMask, smoothL1 } from "./losses.ts";

/** What a part needs from the whole batch: its OHEM mask and the batch's counts. */
export interface BatchShare {
  /** 1 for this part's samples OHEM keeps, 0 elsewhere. */
  readonly clsMask: Float32Array;
  /** Samples kept by OHEM in the whole batch. */
  readonly clsCount: number;
  /** Box samples (labels 1, -1, -2) in the whole batch. */
  readonly boxCount: number;
  /** Landmark samples (label -2) in the whole batch. */
  readonly landmarkCount: number;
}

/** The samples that count for classification, as {@linkcode mtcnnLoss} chooses them. */
export const isClsLabel = (l: number, opts: LossOptions): boolean =>
  l === 1 || l === 0 || ((opts.landmarkAsFace ?? false) && l === -2);

/**
 * The whole batch's share plan from every sample's cross-entropy and label: OHEM's mask (as
 * {@linkcode mtcnnLoss}, ties to the lower index) and the counts.
 */
export const batchShare = (
  ce: Float32Array,
  labels: Int8Array,
  opts: LossOptions,
): BatchShare => {
  // Indexed loops, not iterators: this runs every step (garbage collection).
  const valid: boolean[] = new Array(labels.length);
  let box = 0, lm = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    valid[i] = isClsLabel(l, opts);
    if (l === 1 || l === -1 || l === -2) box++;
    if (l === -2) lm++;
  }
  const { mask, kept } = ohemMask(ce, valid, opts.ohemRatio ?? OHEM_RATIO);
  return { clsMask: mask, clsCount: kept, boxCount: box, landmarkCount: lm };
};

const share = (perSample: tf.Tensor1D, mask: Float32Array, count: number): tf.Scalar =>
  count === 0
    ? tf.scalar(0)
    : tf.div(tf.sum(tf.mul(perSample, tf.tensor1d(mask))), count) as tf.Scalar;

/**
 * This part's share of the loss. `choose` gets the part's per-sample cross-entropy and returns
 * the share plan (it may wait for the other parts). Call inside a gradient scope; borrows its
 * inputs, returns a new scalar.
 */
export const mtcnnLossPart = (
  opts: LossOptions,
  choose: (ce: Float32Array) => BatchShare,
): (h: LossHeads, t: LossTargets) => tf.Scalar =>
(h: LossHeads, t: LossTargets): tf.Scalar => {
  const labels = Array.from(t.labels);
  const n = labels.length;
  // The same per-sample terms as mtcnnLoss (lib/train/losses.ts).
  const isFace = labels.map((l) => (l === 1 || l === -2 ? 1 : 0));
  const onehot = tf.tensor2d(isFace.flatMap((f) => [1 - f, f]), [n, 2]);
  const ce = tf.neg(
    tf.log(tf.sum(tf.mul(tf.clipByValue(h.prob, 1e-10, 1), onehot), 1)),
  ) as tf.Tensor1D;
  const plan = choose(ce.dataSync() as Float32Array);
  const cls = share(ce, plan.clsMask, plan.clsCount);
  const d = tf.sub(h.bbox, t.box);
  const perBox = opts.boxLoss === "smoothL1" ? tf.mean(smoothL1(d), 1) : tf.mean(tf.square(d), 1);
  const boxMask = Float32Array.from(labels.map((l) => (l === 1 || l === -1 || l === -2 ? 1 : 0)));
  const box = share(perBox as tf.Tensor1D, boxMask, plan.boxCount);
  const lmMask = Float32Array.from(labels.map((l) => (l === -2 ? 1 : 0)));
  const landmark = h.landmarks
    ? share(
      tf.mean(tf.square(tf.sub(h.landmarks, t.landmarks)), 1) as tf.Tensor1D,
      lmMask,
      plan.landmarkCount,
    )
    : tf.scalar(0);
  const w = opts.weights;
  return tf.addN([tf.mul(w.cls, cls), tf.mul(w.box, box), tf.mul(w.landmark, landmark)]);
};
