/**
 * The training loss as one op with its own gradient: `mtcnnLoss`'s total (or a part's
 * share of it, as `mtcnnLossPart`), computed on the host from the heads read back once,
 * with the gradients for the heads written on the host in the backward pass. The tensor-op
 * version is some twenty small ops forward and more backward, whose per-op cost was most of
 * PNet's loss time (docs/training.md, "Training speed"); the sums here are in float64.
 *
 * The derivatives are those of the tensor-op version, including its subgradients: the clipped
 * probability has none outside [1e-10, 1], smooth L1's is clamp(d, -1, 1) (0 at d = 0, 1 at
 * |d| = 1, as `abs` and `minimum` give). `tests/train_loss_op_test.ts` checks values and
 * gradients against the tensor ops.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runTapedOp } from "../taped_op.ts";
import { type BatchShare, batchShare } from "./loss_part.ts";
import type { LossHeads, LossOptions, LossTargets } from "./losses.ts";

/** 1 where the sample's true class is "face" (labels 1 and -2), 0 elsewhere. */
const facesOf = (labels: Int8Array): Uint8Array => {
  const faces = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) faces[i] = labels[i] === 1 || labels[i] === -2 ? 1 : 0;
  return faces;
};

/** -log p(true class) of each sample in float32, as the tensor-op version computes it. */
const crossEntropy = (prob: Float32Array, faces: Uint8Array): Float32Array => {
  const ce = new Float32Array(faces.length);
  for (let i = 0; i < faces.length; i++) {
    ce[i] = -Math.log(Math.fround(Math.min(1, Math.max(1e-10, prob[2 * i + faces[i]]))));
  }
  return ce;
};

// The host loops below are plain module functions (not closures made per step) so that V8
// optimises them once: a loop of float arithmetic running unoptimised allocates a heap number
// per operation, garbage collected every few steps.

/** Sum of the kept samples' cross-entropy; writes d(-log p) / dp = -kc / p into `gp`. */
const clsTerm = (
  prob: Float32Array,
  faces: Uint8Array,
  ce: Float32Array,
  mask: Float32Array,
  kc: number,
  gp: Float32Array,
): number => {
  let cls = 0;
  for (let i = 0; i < faces.length; i++) {
    if (!mask[i]) continue;
    cls += ce[i];
    const p = prob[2 * i + faces[i]];
    // The clip passes the gradient only for 1e-10 <= p <= 1.
    if (p >= 1e-10 && p <= 1) gp[2 * i + faces[i]] = -kc / p;
  }
  return cls;
};

/** Sum of the box samples' mean box loss; writes its gradient, scaled by `kb`, into `gb`. */
const boxTerm = (
  labels: Int8Array,
  bv: Float32Array,
  tb: Float32Array,
  smooth: boolean,
  kb: number,
  gb: Float32Array,
): number => {
  let box = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== 1 && l !== -1 && l !== -2) continue;
    for (let j = 4 * i; j < 4 * i + 4; j++) {
      const d = bv[j] - tb[j], a = Math.abs(d);
      box += (smooth ? (a < 1 ? 0.5 * d * d : a - 0.5) : d * d) / 4;
      gb[j] = (kb / 4) * (smooth ? Math.max(-1, Math.min(1, d)) : 2 * d);
    }
  }
  return box;
};

/** Sum of the landmark samples' landmark MSE; writes its gradient, scaled by `kl`, into `gl`. */
const landmarkTerm = (
  labels: Int8Array,
  lv: Float32Array,
  tl: Float32Array,
  kl: number,
  gl: Float32Array,
): number => {
  let lm = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== -2) continue;
    for (let j = 10 * i; j < 10 * i + 10; j++) {
      const d = lv[j] - tl[j];
      lm += (d * d) / 10;
      gl[j] = (kl / 10) * 2 * d;
    }
  }
  return lm;
};

/** `v` times `k` as a new tensor (`v` itself when k is 1). */
const scaledTensor = (v: Float32Array, k: number, shape: number[]): tf.Tensor =>
  tf.tensor(k === 1 ? v : v.map((e) => e * k), shape);

/**
 * The loss of a batch (or of one part of it) as one taped op. `choose` gets every sample's
 * cross-entropy and returns the share plan (default: OHEM over these samples alone, i.e. the
 * whole batch, which gives `mtcnnLoss`'s total). Call inside a gradient scope or not;
 * borrows its inputs, returns a new scalar.
 */
export const mtcnnLossOp = (
  opts: LossOptions,
  choose?: (ce: Float32Array) => BatchShare,
): (h: LossHeads, t: LossTargets) => tf.Scalar =>
(h: LossHeads, t: LossTargets): tf.Scalar => {
  const labels = t.labels;
  const n = labels.length;
  const faces = facesOf(labels);
  const inputs: tf.NamedTensorMap = h.landmarks
    ? { prob: h.prob, bbox: h.bbox, landmarks: h.landmarks }
    : { prob: h.prob, bbox: h.bbox };
  const w = opts.weights;
  let grads: { prob: Float32Array; bbox: Float32Array; landmarks?: Float32Array } | undefined;
  return runTapedOp<tf.Scalar>({
    inputs,
    forward: () => {
      const prob = h.prob.dataSync() as Float32Array;
      const ce = crossEntropy(prob, faces);
      const plan = choose ? choose(ce) : batchShare(ce, labels, opts);
      const gp = new Float32Array(2 * n), gb = new Float32Array(4 * n);
      const kc = plan.clsCount ? w.cls / plan.clsCount : 0;
      const cls = clsTerm(prob, faces, ce, plan.clsMask, kc, gp);
      const bv = h.bbox.dataSync() as Float32Array, tb = t.box.dataSync() as Float32Array;
      const kb = plan.boxCount ? w.box / plan.boxCount : 0;
      const box = boxTerm(labels, bv, tb, opts.boxLoss === "smoothL1", kb, gb);
      let gl: Float32Array | undefined;
      let lm = 0;
      if (h.landmarks) {
        const lv = h.landmarks.dataSync() as Float32Array;
        const tl = t.landmarks.dataSync() as Float32Array;
        const kl = plan.landmarkCount ? w.landmark / plan.landmarkCount : 0;
        gl = new Float32Array(10 * n);
        lm = landmarkTerm(labels, lv, tl, kl, gl);
      }
      grads = { prob: gp, bbox: gb, landmarks: gl };
      const total = (plan.clsCount ? (w.cls * cls) / plan.clsCount : 0) +
        (plan.boxCount ? (w.box * box) / plan.boxCount : 0) +
        (plan.landmarkCount ? (w.landmark * lm) / plan.landmarkCount : 0);
      return tf.scalar(total);
    },
    backward: (dy) => {
      const g = grads;
      if (!g) throw new Error("mtcnnLossOp: backward before forward");
      // dy is 1 when the loss is what is differentiated; scale otherwise.
      const k = dy.dataSync()[0];
      const r: Record<string, () => tf.Tensor> = {
        prob: () => scaledTensor(g.prob, k, [n, 2]),
        bbox: () => scaledTensor(g.bbox, k, [n, 4]),
      };
      const gl = g.landmarks;
      if (gl) r.landmarks = () => scaledTensor(gl, k, [n, 10]);
      return r;
    },
  });
};
