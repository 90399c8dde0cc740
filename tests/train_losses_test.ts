import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import { mtcnnLoss, ohemMask, TASK_WEIGHTS } from "../lib/train/losses.ts";
import { learningRateAt, makeAdam } from "../train.ts";

await tf.setBackend("cpu");

const z = (n: number, k: number) => tf.zeros([n, k]) as tf.Tensor2D;

Deno.test("ohemMask() keeps the hardest ceil(70%) of the valid samples, ties to the lower index", () => {
  const { mask, kept } = ohemMask(
    new Float32Array([0.5, 3, 1, 1, 9, 0.1, 2, 7, 4, 0]),
    [true, true, true, true, false, true, true, true, true, true],
    0.7,
  );
  // 9 valid -> ceil(6.3) = 7 kept: 7, 4, 3, 2, 1 (index 2), 1 (index 3), 0.5.
  assertEquals(kept, 7);
  assertEquals(Array.from(mask), [1, 1, 1, 1, 0, 0, 1, 1, 1, 0]);
  assertEquals(ohemMask(new Float32Array([1, 2]), [false, false], 0.7).kept, 0);
});

Deno.test("mtcnnLoss() cross-entropy equals -log p of the label, averaged over the OHEM-kept samples", () => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const prob = tf.tensor2d([[0.2, 0.8], [0.9, 0.1], [0.4, 0.6], [0.5, 0.5]]);
    const labels = new Int8Array([1, 0, 0, -1]); // the part face is not classified
    const p = mtcnnLoss({ weights: TASK_WEIGHTS.pnet })(
      { prob, bbox: z(4, 4) },
      { labels, box: z(4, 4), landmarks: z(4, 10) },
    );
    // losses: -ln .8 = .2231, -ln .9 = .1054, -ln .4 = .9163; keep ceil(2.1) = 3 of 3.
    const all = (Math.log(1 / 0.8) + Math.log(1 / 0.9) + Math.log(1 / 0.4)) / 3;
    assertAlmostEquals(p.cls.dataSync()[0], all, 1e-6);
    const p2 = mtcnnLoss({ weights: TASK_WEIGHTS.pnet, ohemRatio: 0.5 })(
      { prob, bbox: z(4, 4) },
      { labels, box: z(4, 4), landmarks: z(4, 10) },
    );
    // keep ceil(1.5) = 2 hardest: .9163 and .2231.
    assertAlmostEquals(p2.cls.dataSync()[0], (Math.log(1 / 0.4) + Math.log(1 / 0.8)) / 2, 1e-6);
  });
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("mtcnnLoss() box MSE / smooth L1 on positives, parts and landmark samples; landmark MSE on landmark samples", () => {
  tf.tidy(() => {
    const bbox = tf.tensor2d([[0, 0, 0, 0], [2, 0, 0, 0], [1, 1, 0, 0], [0.5, 0, 0, 0]]);
    const box = tf.tensor2d([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    const labels = new Int8Array([0, 1, -1, -2]);
    const prob = tf.tensor2d([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]);
    const lmPred = tf.tensor2d([
      new Array(10).fill(0.1),
      new Array(10).fill(0),
      new Array(10).fill(0),
      [
        0.3,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0.1,
      ],
    ]);
    const t = { labels, box: box as tf.Tensor2D, landmarks: z(4, 10) };
    const mse = mtcnnLoss({ weights: TASK_WEIGHTS.onet })({ prob, bbox, landmarks: lmPred }, t);
    // per-sample box MSE: pos 4/4 = 1, part 2/4 = .5, landmark .25/4 = .0625 -> mean .520833
    assertAlmostEquals(mse.box.dataSync()[0], (1 + 0.5 + 0.0625) / 3, 1e-6);
    // landmark: only sample 3: (.09 + .01) / 10 = .01
    assertAlmostEquals(mse.landmark.dataSync()[0], 0.01, 1e-7);
    // total = 1 * cls + .5 * box + 1 * landmark; cls = ln 2 (both classified samples at .5)
    assertAlmostEquals(mse.total.dataSync()[0], Math.LN2 + 0.5 * 0.520833333 + 0.01, 1e-5);
    const sl1 = mtcnnLoss({ weights: TASK_WEIGHTS.rnet, boxLoss: "smoothL1" })({ prob, bbox }, t);
    // smooth L1: |2| -> 1.5 (/4 = .375); 1,1 -> .5 + .5 (/4 = .25); .5 -> .125 (/4 = .03125)
    assertAlmostEquals(sl1.box.dataSync()[0], (0.375 + 0.25 + 0.03125) / 3, 1e-6);
    assertEquals(sl1.landmark.dataSync()[0], 0, "no landmark head, no landmark loss");
  });
});

Deno.test("mtcnnLoss() gives zero box / landmark loss, not NaN, when a batch has no such samples", () => {
  tf.tidy(() => {
    const p = mtcnnLoss({ weights: TASK_WEIGHTS.onet })(
      { prob: tf.tensor2d([[0.9, 0.1]]), bbox: z(1, 4), landmarks: z(1, 10) },
      { labels: new Int8Array([0]), box: z(1, 4), landmarks: z(1, 10) },
    );
    assertEquals([p.box.dataSync()[0], p.landmark.dataSync()[0]], [0, 0]);
    assert(Number.isFinite(p.total.dataSync()[0]));
  });
});

Deno.test("learningRateAt() follows step, cosine and warm-up schedules", () => {
  assertAlmostEquals(
    learningRateAt({ kind: "step", base: 1, every: 10, gamma: 0.5 }, 25),
    0.25,
    1e-12,
  );
  assertAlmostEquals(learningRateAt({ kind: "cosine", base: 1, total: 100 }, 50), 0.5, 1e-12);
  assertAlmostEquals(learningRateAt({ kind: "constant", base: 1, warmup: 4 }, 1), 0.5, 1e-12);
});

Deno.test("makeAdam() matches Adam's update by hand and restores its state exactly", async () => {
  const w = tf.variable(tf.tensor1d([1, -2]));
  const adam = makeAdam({ w });
  tf.tidy(() => adam.apply({ w: tf.tensor1d([0.5, -1]) }, 0.1));
  tf.tidy(() => adam.apply({ w: tf.tensor1d([0.25, 2]) }, 0.1));
  // by hand, element 0: m1 = .05, v1 = .00025; m2 = .07, v2 = .0003122...
  let m = 0, v = 0, x = 1;
  for (const [t, g] of [[1, 0.5], [2, 0.25]]) {
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    x -= 0.1 * (m / (1 - 0.9 ** t)) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
  }
  assertAlmostEquals(w.dataSync()[0], x, 1e-6);
  const saved = await adam.read();
  const w2 = tf.variable(w.clone());
  const adam2 = makeAdam({ w: w2 });
  adam2.restore(adam.step, saved);
  tf.tidy(() => adam.apply({ w: tf.tensor1d([1, 1]) }, 0.01));
  tf.tidy(() => adam2.apply({ w: tf.tensor1d([1, 1]) }, 0.01));
  assertEquals(w2.dataSync(), w.dataSync());
  for (const t of [w, w2]) t.dispose();
  adam.dispose();
  adam2.dispose();
});
