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

/** -log p(true class) of each sample in float32, as the tensor-op version computes it. */
const crossEntropy = (prob: Float32Array, faces: Uint8Array): Float32Array => {
  const ce = new Float32Array(faces.length);
  for (let i = 0; i < faces.length; i++) {
    ce[i] = -Math.log(Math.fround(Math.min(1, Math.max(1e-10, prob[2 * i + faces[i]]))));
  }
  return ce;
};

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
  const faces = Uint8Array.from(labels, (l) => (l === 1 || l === -2 ? 1 : 0));
  const inputs: tf.NamedTensorMap = h.landmarks
    ? { prob: h.prob, bbox: h.bbox, landmarks: h.landmarks }
    : { prob: h.prob, bbox: h.bbox };
  const w = opts.weights;
  const smooth = opts.boxLoss === "smoothL1";
  let grads: { prob: Float32Array; bbox: Float32Array; landmarks?: Float32Array } | undefined;
  return runTapedOp<tf.Scalar>({
    inputs,
    forward: () => {
      const prob = h.prob.dataSync() as Float32Array;
      const ce = crossEntropy(prob, faces);
      const plan = (choose ?? ((c: Float32Array) => batchShare(c, labels, opts)))(ce);
      const gp = new Float32Array(2 * n), gb = new Float32Array(4 * n);
      let cls = 0, box = 0, lm = 0;
      // d(-log p) / dp = -1 / p, where the clip passes the gradient (1e-10 <= p <= 1).
      const kc = plan.clsCount ? w.cls / plan.clsCount : 0;
      for (let i = 0; i < n; i++) {
        if (!plan.clsMask[i]) continue;
        cls += ce[i];
        const p = prob[2 * i + faces[i]];
        if (p >= 1e-10 && p <= 1) gp[2 * i + faces[i]] = -kc / p;
      }
      const bv = h.bbox.dataSync() as Float32Array, tb = t.box.dataSync() as Float32Array;
      const kb = plan.boxCount ? w.box / plan.boxCount : 0;
      for (let i = 0; i < n; i++) {
        const l = labels[i];
        if (l !== 1 && l !== -1 && l !== -2) continue;
        for (let j = 4 * i; j < 4 * i + 4; j++) {
          const d = bv[j] - tb[j], a = Math.abs(d);
          box += (smooth ? (a < 1 ? 0.5 * d * d : a - 0.5) : d * d) / 4;
          gb[j] = (kb / 4) * (smooth ? Math.max(-1, Math.min(1, d)) : 2 * d);
        }
      }
      let gl: Float32Array | undefined;
      if (h.landmarks) {
        const lv = h.landmarks.dataSync() as Float32Array;
        const tl = t.landmarks.dataSync() as Float32Array;
        const kl = plan.landmarkCount ? w.landmark / plan.landmarkCount : 0;
        gl = new Float32Array(10 * n);
        for (let i = 0; i < n; i++) {
          if (labels[i] !== -2) continue;
          for (let j = 10 * i; j < 10 * i + 10; j++) {
            const d = lv[j] - tl[j];
            lm += (d * d) / 10;
            gl[j] = (kl / 10) * 2 * d;
          }
        }
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
      const scaled = (v: Float32Array, shape: number[]) => () =>
        tf.tensor(k === 1 ? v : v.map((e) => e * k), shape);
      const r: Record<string, () => tf.Tensor> = {
        prob: scaled(g.prob, [n, 2]),
        bbox: scaled(g.bbox, [n, 4]),
      };
      if (g.landmarks) r.landmarks = scaled(g.landmarks, [n, 10]);
      return r;
    },
  });
};
