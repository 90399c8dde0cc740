import * as tf from "@tensorflow/tfjs";
import { assert } from "./_assert.ts";
import { useBackend } from "../mod.ts";
import { makePrng } from "../train.ts";
import { type LossOptions, mtcnnLoss, TASK_WEIGHTS } from "../lib/train/losses.ts";
import { batchShare, mtcnnLossPart } from "../lib/train/loss_part.ts";
import { mtcnnLossOp } from "../lib/train/loss_op.ts";

const rng = makePrng(1617);

/** A random batch: heads (landmarks when asked), every label kind, probabilities near 0 too. */
const batch = (n: number, landmarks: boolean) => {
  const labels = Int8Array.from({ length: n }, () => [1, 0, -1, -2][Math.floor(rng.next() * 4)]);
  const p = Array.from({ length: n }, () => (rng.next() < 0.1 ? 1e-12 : rng.next()));
  const rand = (k: number, s: number) =>
    Array.from({ length: n * k }, () => s * (rng.next() - 0.5));
  return {
    labels,
    prob: p.flatMap((v) => [1 - v, v]),
    bbox: rand(4, 4), // |d| beyond 1 too, for smooth L1
    lm: landmarks ? rand(10, 1) : undefined,
    box: rand(4, 1),
    targetLm: rand(10, 1),
  };
};

type Batch = ReturnType<typeof batch>;

/** The loss and its gradients for the heads, by the fused op or the tensor ops. */
const lossAndGrads = (b: Batch, fused: boolean, opts: LossOptions) =>
  tf.tidy(() => {
    const n = b.labels.length;
    const heads = [tf.tensor2d(b.prob, [n, 2]), tf.tensor2d(b.bbox, [n, 4])];
    if (b.lm) heads.push(tf.tensor2d(b.lm, [n, 10]));
    const targets = {
      labels: b.labels,
      box: tf.tensor2d(b.box, [n, 4]),
      landmarks: tf.tensor2d(b.targetLm, [n, 10]),
    };
    const f = (...h: tf.Tensor[]) => {
      const hs = {
        prob: h[0] as tf.Tensor2D,
        bbox: h[1] as tf.Tensor2D,
        landmarks: h[2] as tf.Tensor2D,
      };
      const l = fused ? mtcnnLossOp(opts)(hs, targets) : mtcnnLoss(opts)(hs, targets).total;
      // + 0 * every head: a gradient (zero) for heads a batch without some label kind leaves out.
      return tf.add(l, tf.mul(0, tf.addN(h.map((t) => tf.sum(t))))) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)(heads);
    return [value, ...grads].map((t) => Array.from(t.dataSync()));
  });

const close = (a: number[][], b: number[][], what: string) =>
  a.forEach((v, i) =>
    v.forEach((e, j) => {
      const d = Math.abs(e - b[i][j]);
      assert(
        d <= 1e-5 * Math.max(1, Math.abs(b[i][j])),
        `${what} [${i}][${j}]: ${e} vs ${b[i][j]}`,
      );
    })
  );

const OPTIONS: [string, LossOptions, boolean][] = [
  ["PNet, MSE, OHEM 0.7", { weights: TASK_WEIGHTS.pnet }, false],
  [
    "RNet, smooth L1, no OHEM",
    { weights: TASK_WEIGHTS.rnet, boxLoss: "smoothL1", ohemRatio: 1 },
    false,
  ],
  ["ONet, landmarks as faces", { weights: TASK_WEIGHTS.onet, landmarkAsFace: true }, true],
];

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`mtcnnLossOp() gives mtcnnLoss()'s total and gradients (${backend})`, async () => {
    if (backend === "wasm") {
      const r = await useBackend("wasm");
      if (r._tag === "Left") throw new Error(r.left.message);
    }
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    for (const [what, opts, lm] of OPTIONS) {
      for (const n of [1, 7, 256]) {
        const b = batch(n, lm);
        close(lossAndGrads(b, true, opts), lossAndGrads(b, false, opts), `${what}, n ${n}`);
      }
    }
    // Negatives only: zero, not NaN, for the box and landmark terms and their gradients (the
    // tensor ops give no gradient at all there).
    const negatives = { ...batch(5, true), labels: new Int8Array(5) };
    const [v, , gb, gl] = lossAndGrads(negatives, true, OPTIONS[2][1]);
    const want = tf.tidy(() =>
      mtcnnLoss(OPTIONS[2][1])(
        {
          prob: tf.tensor2d(negatives.prob, [5, 2]),
          bbox: tf.zeros([5, 4]),
          landmarks: tf.zeros([5, 10]),
        },
        { labels: negatives.labels, box: tf.zeros([5, 4]), landmarks: tf.zeros([5, 10]) },
      ).total.dataSync()[0]
    );
    assert(Math.abs(v[0] - want) < 1e-5 * Math.max(1, want), `negatives only: ${v[0]} vs ${want}`);
    assert([...gb, ...gl].every((e) => e === 0), "no box or landmark gradient");
    assert(tf.memory().numTensors === before, "no tensor leaked");
  });
}

Deno.test("mtcnnLossOp() with a share plan gives mtcnnLossPart()'s share; the parts add up to the batch", async () => {
  await tf.setBackend("cpu");
  const before = tf.memory().numTensors;
  const opts: LossOptions = { weights: TASK_WEIGHTS.onet };
  const b = batch(40, true);
  // The whole batch's plan, from every sample's cross-entropy (as the parallel trainer makes it).
  const ce = Float32Array.from(
    b.labels,
    (l, i) => -Math.log(Math.max(1e-10, b.prob[2 * i + (l === 1 || l === -2 ? 1 : 0)])),
  );
  const plan = batchShare(ce, b.labels, opts);
  const part = (lo: number, hi: number, fused: boolean) =>
    tf.tidy(() => {
      const n = hi - lo;
      const heads = {
        prob: tf.tensor2d(b.prob.slice(2 * lo, 2 * hi), [n, 2]),
        bbox: tf.tensor2d(b.bbox.slice(4 * lo, 4 * hi), [n, 4]),
        landmarks: tf.tensor2d((b.lm as number[]).slice(10 * lo, 10 * hi), [n, 10]),
      };
      const targets = {
        labels: b.labels.slice(lo, hi),
        box: tf.tensor2d(b.box.slice(4 * lo, 4 * hi), [n, 4]),
        landmarks: tf.tensor2d(b.targetLm.slice(10 * lo, 10 * hi), [n, 10]),
      };
      const choose = () => ({ ...plan, clsMask: plan.clsMask.slice(lo, hi) });
      const l = fused ? mtcnnLossOp(opts, choose) : mtcnnLossPart(opts, choose);
      return l(heads, targets).dataSync()[0];
    });
  const whole = tf.tidy(() => lossAndGrads(b, true, opts)[0][0]);
  const a = part(0, 17, true), c = part(17, 40, true);
  assert(Math.abs(a - part(0, 17, false)) < 1e-5, `share ${a}`);
  assert(Math.abs(c - part(17, 40, false)) < 1e-5, `share ${c}`);
  assert(Math.abs(a + c - whole) < 1e-5, `parts ${a} + ${c} = whole ${whole}`);
  assert(tf.memory().numTensors === before, "no tensor leaked");
});
