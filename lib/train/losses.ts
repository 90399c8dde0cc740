/**
 * The MTCNN training losses (Zhang et al. 2016, section 2.3): face / non-face cross-entropy on
 * positives and negatives with online hard example mining, box regression on positives and
 * part faces, landmark regression on landmark samples, summed with per-net task weights.
 *
 * Sample labels follow the training guide: 1 face, 0 non-face, -1 part face, -2 landmark.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { NetName } from "../spec.ts";

/** Weights of the three tasks in the total loss. */
export interface TaskWeights {
  /** Face classification. */
  readonly cls: number;
  /** Box regression. */
  readonly box: number;
  /** Landmark regression. */
  readonly landmark: number;
}

/**
 * The paper's task weights: 1 / 0.5 / 0.5 for PNet and RNet, 1 / 0.5 / 1 for ONet.
 *
 * @example
 * ```ts
 * import { TASK_WEIGHTS } from "@mtcnn/mtcnn/train";
 * console.log(TASK_WEIGHTS.onet); // classification, box and landmark weights 1 / 0.5 / 1
 * ```
 */
export const TASK_WEIGHTS: Readonly<Record<NetName, TaskWeights>> = {
  pnet: { cls: 1, box: 0.5, landmark: 0.5 },
  rnet: { cls: 1, box: 0.5, landmark: 0.5 },
  onet: { cls: 1, box: 0.5, landmark: 1 },
};

/** 0.7: the paper keeps the hardest 70% of the classification samples of each batch. */
export const OHEM_RATIO = 0.7;

/** Sample labels. */
export const LABEL = { neg: 0, pos: 1, part: -1, landmark: -2 } as const;

/** Options of {@linkcode mtcnnLoss}. */
export interface LossOptions {
  /** Task weights (default: {@linkcode TASK_WEIGHTS} of the net). */
  readonly weights: TaskWeights;
  /** Box loss: mean squared error (default, as the paper) or smooth L1 (Huber, delta 1). */
  readonly boxLoss?: "mse" | "smoothL1";
  /** Fraction of the classification samples kept by OHEM (default 0.7; 1 disables it). */
  readonly ohemRatio?: number;
  /** Also train the classifier on landmark samples as faces (default false). */
  readonly landmarkAsFace?: boolean;
}

/** A batch's targets; `labels` is on the host because the masks are made there. */
export interface LossTargets {
  /** One label per sample: 1, 0, -1 or -2. */
  readonly labels: Int8Array;
  /** N x 4 box offsets (read for labels 1, -1 and -2). */
  readonly box: tf.Tensor2D;
  /** N x 10 landmarks, x1..x5 then y1..y5 as fractions of the crop (read for label -2). */
  readonly landmarks: tf.Tensor2D;
}

/** The heads of a net, flattened to N rows. */
export interface LossHeads {
  /** N x 2 softmax probabilities [non-face, face]. */
  readonly prob: tf.Tensor2D;
  /** N x 4 box regression. */
  readonly bbox: tf.Tensor2D;
  /** N x 10 landmarks, when the net has that head (ONet). */
  readonly landmarks?: tf.Tensor2D;
}

/** The total loss and its parts (each a mean over the samples it applies to; 0 if none). */
export interface LossParts {
  /** Weighted sum, what is minimised. */
  readonly total: tf.Scalar;
  /** Cross-entropy over the OHEM-kept samples. */
  readonly cls: tf.Scalar;
  /** Box loss per sample (mean over the 4 offsets). */
  readonly box: tf.Scalar;
  /** Landmark MSE per sample (mean over the 10 values). */
  readonly landmark: tf.Scalar;
}

/**
 * The OHEM mask: 1 for the `ceil(ratio * n)` largest losses among the `valid` samples (ties
 * to the lower index, so it is deterministic), 0 elsewhere; and the count kept.
 */
export const ohemMask = (
  losses: Float32Array,
  valid: readonly boolean[],
  ratio: number,
): { mask: Float32Array; kept: number } => {
  const idx: number[] = [];
  for (let i = 0; i < losses.length; i++) if (valid[i]) idx.push(i);
  const kept = idx.length === 0 ? 0 : Math.max(1, Math.ceil(ratio * idx.length - 1e-9));
  // The same order as `losses[b] - losses[a] || a - b` (NaN and ties: by index), with small
  // integer results: a float result is a heap number per comparison (garbage every step).
  idx.sort((a, b) => (losses[b] > losses[a] ? 1 : losses[b] < losses[a] ? -1 : a - b));
  const mask = new Float32Array(losses.length);
  for (let i = 0; i < kept; i++) mask[idx[i]] = 1;
  return { mask, kept };
};

const maskedMean = (perSample: tf.Tensor1D, mask: Float32Array): tf.Scalar => {
  const n = mask.reduce((a, b) => a + b, 0);
  if (n === 0) return tf.scalar(0);
  return tf.div(tf.sum(tf.mul(perSample, tf.tensor1d(mask))), n);
};

/**
 * Smooth L1 (Huber, delta 1) written with `abs` and `minimum` so that it has a gradient
 * everywhere: with m = min(|d|, 1), 0.5 m^2 + (|d| - m) is 0.5 d^2 for |d| < 1 and |d| - 0.5
 * beyond. (`tf.where(tf.less(...))` has no gradient in tfjs: `Less` has none registered.)
 */
export const smoothL1 = (d: tf.Tensor): tf.Tensor => {
  const a = tf.abs(d);
  const m = tf.minimum(a, 1);
  return tf.add(tf.mul(0.5, tf.square(m)), tf.sub(a, m));
};

/**
 * The training loss of a batch. Call inside a gradient scope (`tf.variableGrads`); it reads
 * the per-sample cross-entropy back once for OHEM. Borrows its inputs; the returned scalars
 * are new (use inside `tf.tidy`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mtcnnLoss, TASK_WEIGHTS } from "@mtcnn/mtcnn/train";
 * const parts = mtcnnLoss({ weights: TASK_WEIGHTS.pnet })(
 *   { prob: tf.tensor2d([[0.2, 0.8], [0.9, 0.1]]), bbox: tf.zeros([2, 4]) },
 *   { labels: new Int8Array([1, 0]), box: tf.zeros([2, 4]), landmarks: tf.zeros([2, 10]) },
 * );
 * console.log(parts.cls.dataSync()[0]); // (-log 0.8 - log 0.9) / 2: OHEM keeps ceil(0.7 * 2) = 2
 * ```
 */
export const mtcnnLoss = (
  opts: LossOptions,
): (h: LossHeads, t: LossTargets) => LossParts =>
(h: LossHeads, t: LossTargets): LossParts => {
  const labels = Array.from(t.labels);
  const n = labels.length;
  const asFace = opts.landmarkAsFace ?? false;
  const isCls = labels.map((l) => l === 1 || l === 0 || (asFace && l === -2));
  const isFace = labels.map((l) => (l === 1 || l === -2 ? 1 : 0));
  // Cross-entropy on the softmax output: -log p(true class), clipped away from log(0).
  const onehot = tf.tensor2d(isFace.flatMap((f) => [1 - f, f]), [n, 2]);
  const ce = tf.neg(
    tf.log(tf.sum(tf.mul(tf.clipByValue(h.prob, 1e-10, 1), onehot), 1)),
  ) as tf.Tensor1D;
  const { mask } = ohemMask(ce.dataSync() as Float32Array, isCls, opts.ohemRatio ?? OHEM_RATIO);
  const cls = maskedMean(ce, mask);

  const boxMask = Float32Array.from(labels.map((l) => (l === 1 || l === -1 || l === -2 ? 1 : 0)));
  const d = tf.sub(h.bbox, t.box);
  const perBox = opts.boxLoss === "smoothL1" ? tf.mean(smoothL1(d), 1) : tf.mean(tf.square(d), 1);
  const box = maskedMean(perBox as tf.Tensor1D, boxMask);

  const lmMask = Float32Array.from(labels.map((l) => (l === -2 ? 1 : 0)));
  const landmark = h.landmarks
    ? maskedMean(tf.mean(tf.square(tf.sub(h.landmarks, t.landmarks)), 1) as tf.Tensor1D, lmMask)
    : tf.scalar(0);

  const w = opts.weights;
  const total = tf.addN([tf.mul(w.cls, cls), tf.mul(w.box, box), tf.mul(w.landmark, landmark)]);
  return { total: total as tf.Scalar, cls, box, landmark };
};
