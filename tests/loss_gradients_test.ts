import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { type LossOptions, mtcnnLoss, TASK_WEIGHTS } from "../lib/train/losses.ts";

await tf.setBackend("cpu");

// Heads and targets of a small batch: every label kind, box offsets on both sides of the
// smooth-L1 kink at |d| = 1 (but not within the finite-difference step of it).
const LABELS = new Int8Array([1, 0, -1, -2, 1, 0]);
const PROB = [[0.3, 0.7], [0.8, 0.2], [0.5, 0.5], [0.4, 0.6], [0.9, 0.1], [0.35, 0.65]];
const BBOX = [
  [0.2, -1.7, 0.4, 2.5],
  [0.1, 0.1, 0.1, 0.1],
  [-0.6, 1.4, -2.2, 0.3],
  [0.05, -0.3, 1.8, -0.9],
  [3.1, 0.7, -0.2, -1.3],
  [0, 0, 0, 0],
];
const LM = Array.from(
  { length: 6 },
  (_, i) => Array.from({ length: 10 }, (_, j) => ((i * 7 + j * 3) % 11) / 10 - 0.4),
);
const TBOX = Array.from({ length: 6 }, (_, i) => [0.1 * i, -0.2, 0.05, 0.3]);
const TLM = Array.from({ length: 6 }, () => Array.from({ length: 10 }, (_, j) => j / 20));

type Part = "total" | "cls" | "box" | "landmark";

/** The loss part as a function of the three heads (flattened). */
const lossOf = (opts: LossOptions, part: Part) => (p: tf.Tensor, b: tf.Tensor, l: tf.Tensor) =>
  mtcnnLoss(opts)(
    { prob: p as tf.Tensor2D, bbox: b as tf.Tensor2D, landmarks: l as tf.Tensor2D },
    {
      labels: LABELS,
      box: tf.tensor2d(TBOX),
      landmarks: tf.tensor2d(TLM),
    },
  )[part];

/** Central differences of `f` at `xs[which]`, element by element, in float64 arithmetic. */
const numericGrad = (
  f: (p: tf.Tensor, b: tf.Tensor, l: tf.Tensor) => tf.Scalar,
  xs: number[][][],
  which: number,
  eps: number,
): number[] => {
  const flat = xs[which].flat();
  const out: number[] = [];
  for (let k = 0; k < flat.length; k++) {
    const at = (delta: number) =>
      tf.tidy(() => {
        const moved = flat.slice();
        moved[k] += delta;
        const args = xs.map((x, i) =>
          i === which ? tf.tensor2d(moved, [x.length, x[0].length]) : tf.tensor2d(x)
        );
        return f(args[0], args[1], args[2]).dataSync()[0];
      });
    out.push((at(eps) - at(-eps)) / (2 * eps));
  }
  return out;
};

const CASES: { name: string; opts: LossOptions }[] = [
  { name: "mse, OHEM 1", opts: { weights: TASK_WEIGHTS.onet, ohemRatio: 1 } },
  {
    name: "smoothL1, OHEM 1",
    opts: { weights: TASK_WEIGHTS.onet, boxLoss: "smoothL1", ohemRatio: 1 },
  },
  // OHEM 0.7 keeps 3 of the 4 classified samples; the step is too small to change which.
  { name: "smoothL1, OHEM 0.7", opts: { weights: TASK_WEIGHTS.rnet, boxLoss: "smoothL1" } },
  {
    name: "mse, landmark samples as faces",
    opts: { weights: TASK_WEIGHTS.pnet, landmarkAsFace: true },
  },
];

for (const { name, opts } of CASES) {
  Deno.test(`mtcnnLoss() (${name}): every part's gradient matches central differences`, () => {
    const before = tf.memory().numTensors;
    const xs = [PROB, BBOX, LM];
    for (const part of ["cls", "box", "landmark", "total"] as const) {
      const f = lossOf(opts, part);
      const analytic = tf.tidy(() => {
        // tf.grads wants every input connected to the output: add 0 x each head.
        const connected = (p: tf.Tensor, b: tf.Tensor, l: tf.Tensor) =>
          tf.addN([f(p, b, l), ...[p, b, l].map((t) => tf.mul(0, tf.sum(t)))]) as tf.Scalar;
        const g = tf.grads(connected)(xs.map((x) => tf.tensor2d(x)));
        return g.map((t) => Array.from(t.dataSync()));
      });
      for (let which = 0; which < 3; which++) {
        const numeric = numericGrad(f, xs, which, 1e-3);
        const a = analytic[which];
        assertEquals(a.length, numeric.length);
        let nonZero = 0;
        for (let k = 0; k < a.length; k++) {
          assert(
            Math.abs(a[k] - numeric[k]) <= 2e-3 + 2e-3 * Math.abs(numeric[k]),
            `${part}, head ${which}, element ${k}: analytic ${a[k]}, numeric ${numeric[k]}`,
          );
          if (Math.abs(a[k]) > 1e-6) nonZero++;
        }
        // The part depends on its own head: the check is not vacuous.
        const own = { cls: 0, box: 1, landmark: 2, total: which }[part];
        if (which === own) assert(nonZero > 0, `${part}: gradient is zero everywhere`);
      }
    }
    assertEquals(tf.memory().numTensors, before);
  });
}

Deno.test("mtcnnLoss() smooth L1 has a gradient through tf.variableGrads (as training calls it)", () => {
  const bbox = tf.variable(tf.tensor2d([[0.5, 2, -3, 0]]));
  const { value, grads } = tf.variableGrads(
    () =>
      mtcnnLoss({ weights: TASK_WEIGHTS.pnet, boxLoss: "smoothL1" })(
        { prob: tf.tensor2d([[0.5, 0.5]]), bbox: bbox as unknown as tf.Tensor2D },
        { labels: new Int8Array([1]), box: tf.zeros([1, 4]), landmarks: tf.zeros([1, 10]) },
      ).total,
    [bbox],
  );
  // d/dd of mean(smoothL1) * 0.5 (PNet's box weight): 0.5 * [0.5, 1, -1, 0] / 4
  const g = Array.from(Object.values(grads)[0].dataSync());
  assertEquals(g.map((x) => +x.toFixed(6)), [0.0625, 0.125, -0.125, 0]);
  // 0.5 * (0.125 + 1.5 + 2.5 + 0) / 4 + ln 2
  assert(Math.abs(value.dataSync()[0] - (Math.LN2 + 0.5 * 4.125 / 4)) < 1e-5);
  tf.dispose([value, bbox, ...Object.values(grads)]);
});
