/**
 * One optimisation step and the validation pass, on the very nets detection uses.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { onet } from "../../lib/nets/onet.ts";
import { pnet } from "../../lib/nets/pnet.ts";
import { rnet } from "../../lib/nets/rnet.ts";
import type { NetTensors } from "../../lib/nets/tensors.ts";
import { NET_INPUT_SIZE, type NetName } from "../../lib/spec.ts";
import type { Adam } from "../../lib/train/adam.ts";
import { type LossHeads, type LossOptions, mtcnnLoss } from "../../lib/train/losses.ts";
import { mtcnnLossOp } from "../../lib/train/loss_op.ts";
import type { HostBatch } from "../edge/train/shard_reader.ts";

/** The heads of `net` on a batch of crops, flattened to rows. Returns new tensors. */
export const forwardHeads =
  <N extends NetName>(net: N, w: NetTensors<N>): (x: tf.Tensor4D) => LossHeads =>
  (x: tf.Tensor4D): LossHeads => {
    if (net === "pnet") {
      const o = pnet(w as NetTensors<"pnet">)(x);
      const n = x.shape[0];
      return { prob: tf.reshape(o.prob, [n, 2]), bbox: tf.reshape(o.bbox, [n, 4]) };
    }
    if (net === "rnet") return rnet(w as NetTensors<"rnet">)(x);
    return onet(w as NetTensors<"onet">)(x);
  };

const inputs = (net: NetName, b: HostBatch) => {
  const s = NET_INPUT_SIZE[net];
  return {
    x: tf.tensor4d(b.images, [b.size, s, s, 3]),
    targets: {
      labels: b.labels,
      box: tf.tensor2d(b.box, [b.size, 4]),
      landmarks: tf.tensor2d(b.landmarks, [b.size, 10]),
    },
  };
};

/**
 * Keeping a net's detection behaviour while fine-tuning: a frozen copy of the starting
 * weights (the teacher) and the weight of the squared differences between the student's and
 * the teacher's face probability and box regression, over every sample of the batch.
 */
export interface Distillation<N extends NetName> {
  /** The teacher's weights (constants). */
  readonly teacher: NetTensors<N>;
  /** Weight of the distillation term in the loss. */
  readonly weight: number;
}

const distillTerm = (s: LossHeads, t: LossHeads, weight: number): tf.Scalar =>
  tf.mul(
    weight,
    tf.add(
      tf.mean(tf.square(tf.sub(s.prob, t.prob))),
      tf.mean(tf.square(tf.sub(s.bbox, t.bbox))),
    ),
  ) as tf.Scalar;

/**
 * One Adam step on a batch; returns the batch's loss. Only the variables named in `trainable`
 * are updated (the others still take part in the forward pass).
 */
export const trainStep = <N extends NetName>(
  net: N,
  vars: NetTensors<N>,
  trainable: readonly string[],
  adam: Adam,
  loss: LossOptions,
  batch: HostBatch,
  lr: number,
  distill?: Distillation<N>,
): number => {
  const all = vars as unknown as Record<string, tf.Variable>;
  const list = trainable.map((n) => all[n]);
  return tf.tidy(() => {
    const { x, targets } = inputs(net, batch);
    const t = distill ? forwardHeads(net, distill.teacher)(x) : undefined;
    const { value, grads } = tf.variableGrads(() => {
      const h = forwardHeads(net, vars)(x);
      const main = mtcnnLossOp(loss)(h, targets);
      return t && distill ? tf.add(main, distillTerm(h, t, distill.weight)) as tf.Scalar : main;
    }, list);
    const byName: Record<string, tf.Tensor> = {};
    trainable.forEach((n, i) => (byName[n] = grads[list[i].name]));
    adam.apply(byName, lr);
    return value.dataSync()[0];
  });
};

/** Validation metrics: mean losses (no OHEM) and face / non-face accuracy at 0.5. */
export interface ValMetrics {
  /** Samples evaluated. */
  readonly samples: number;
  /** Weighted total loss. */
  readonly loss: number;
  /** Cross-entropy on positives and negatives. */
  readonly cls: number;
  /** Box loss on positives, part faces and landmark samples. */
  readonly box: number;
  /** Landmark MSE on landmark samples (0 for nets without that head). */
  readonly landmark: number;
  /** Accuracy of face / non-face on positives and negatives. */
  readonly accuracy: number;
}

/** Running sums for {@linkcode ValMetrics}: call `add` per batch, then `result`. */
export const validationAccumulator = <N extends NetName>(
  net: N,
  vars: NetTensors<N>,
  loss: LossOptions,
): { add: (b: HostBatch) => void; result: () => ValMetrics } => {
  const sum = { samples: 0, loss: 0, cls: 0, box: 0, landmark: 0, right: 0, clsN: 0 };
  return {
    add(batch) {
      const [total, cls, box, lm, prob] = tf.tidy(() => {
        const { x, targets } = inputs(net, batch);
        const heads = forwardHeads(net, vars)(x);
        const p = mtcnnLoss({ ...loss, ohemRatio: 1 })(heads, targets);
        return [p.total, p.cls, p.box, p.landmark, heads.prob].map((t) => t.dataSync());
      });
      batch.labels.forEach((l, i) => {
        if (l !== 0 && l !== 1) return;
        sum.clsN++;
        if ((prob[2 * i + 1] > 0.5 ? 1 : 0) === l) sum.right++;
      });
      const m = batch.size;
      sum.samples += m;
      sum.loss += total[0] * m;
      sum.cls += cls[0] * m;
      sum.box += box[0] * m;
      sum.landmark += lm[0] * m;
    },
    result: () => {
      const n = Math.max(1, sum.samples);
      return {
        samples: sum.samples,
        loss: sum.loss / n,
        cls: sum.cls / n,
        box: sum.box / n,
        landmark: sum.landmark / n,
        accuracy: sum.clsN ? sum.right / sum.clsN : 0,
      };
    },
  };
};
