import * as tf from "@tensorflow/tfjs";
import { assert } from "./_assert.ts";
import { GRADIENTS } from "../lib/gradients.ts";
import { makePrng } from "../train.ts";

type Case = {
  kernel: string;
  inputs: number[][]; // shapes
  f: (...xs: tf.Tensor[]) => tf.Tensor;
  positive?: boolean; // inputs drawn from [0.5, 1.5] instead of [-1, 1]
};

const CASES: Case[] = [
  { kernel: "Add", inputs: [[2, 3], [3]], f: (a, b) => tf.add(a, b) },
  { kernel: "Sub", inputs: [[2, 1], [2, 3]], f: (a, b) => tf.sub(a, b) },
  { kernel: "Multiply", inputs: [[2, 3], [1, 3]], f: (a, b) => tf.mul(a, b) },
  { kernel: "RealDiv", inputs: [[2, 3], [3]], f: (a, b) => tf.div(a, b), positive: true },
  { kernel: "Maximum", inputs: [[2, 3], [2, 3]], f: (a, b) => tf.maximum(a, b) },
  { kernel: "Minimum", inputs: [[2, 3], [3]], f: (a, b) => tf.minimum(a, b) },
  { kernel: "AddN", inputs: [[2, 2], [2, 2]], f: (a, b) => tf.addN([a, b, a]) },
  { kernel: "BatchMatMul", inputs: [[2, 3], [3, 4]], f: (a, b) => tf.matMul(a, b) },
  { kernel: "BatchMatMul", inputs: [[2, 3], [4, 3]], f: (a, b) => tf.matMul(a, b, false, true) },
  { kernel: "BatchMatMul", inputs: [[3, 2], [3, 4]], f: (a, b) => tf.matMul(a, b, true, false) },
  { kernel: "BatchMatMul", inputs: [[3, 2], [4, 3]], f: (a, b) => tf.matMul(a, b, true, true) },
  {
    kernel: "Conv2D",
    inputs: [[1, 5, 5, 2], [3, 3, 2, 3]],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid"),
  },
  {
    kernel: "Conv2D",
    inputs: [[1, 5, 5, 2], [2, 2, 2, 3]],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"),
  },
  {
    kernel: "MaxPool",
    inputs: [[1, 5, 5, 2]],
    f: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, "same"),
  },
  { kernel: "Prelu", inputs: [[2, 3, 2], [2]], f: (x, a) => tf.prelu(x, a) },
  { kernel: "Softmax", inputs: [[2, 3]], f: (x) => tf.softmax(x) },
  {
    kernel: "Select",
    inputs: [[2, 3], [2, 3]],
    f: (a, b) => tf.where(tf.tensor2d([[1, 0, 1], [0, 0, 1]], [2, 3], "bool"), a, b),
  },
  { kernel: "Abs", inputs: [[2, 3]], f: (x) => tf.abs(x) },
  { kernel: "Identity", inputs: [[2, 3]], f: (x) => tf.clone(x) },
  { kernel: "ClipByValue", inputs: [[2, 3]], f: (x) => tf.clipByValue(x, -0.4, 0.5) },
  { kernel: "Exp", inputs: [[2, 3]], f: (x) => tf.exp(x) },
  { kernel: "Log", inputs: [[2, 3]], f: (x) => tf.log(x), positive: true },
  { kernel: "Mean", inputs: [[2, 3, 2]], f: (x) => tf.mean(x, [0, 2]) },
  { kernel: "Neg", inputs: [[2, 3]], f: (x) => tf.neg(x) },
  { kernel: "Relu", inputs: [[2, 3]], f: (x) => tf.relu(x) },
  { kernel: "Reshape", inputs: [[2, 3]], f: (x) => tf.reshape(x, [3, 2]) },
  { kernel: "Sqrt", inputs: [[2, 3]], f: (x) => tf.sqrt(x), positive: true },
  { kernel: "Square", inputs: [[2, 3]], f: (x) => tf.square(x) },
  { kernel: "Sum", inputs: [[2, 3, 2]], f: (x) => tf.sum(x, 1, true) },
  { kernel: "Transpose", inputs: [[2, 3, 4]], f: (x) => tf.transpose(x, [2, 0, 1]) },
];

/** Values away from 0 (and from each other) so that kinks do not sit inside the difference. */
const draw = (rand: () => number, n: number, positive: boolean): Float32Array =>
  Float32Array.from({ length: n }, () => {
    const m = 0.1 + 0.9 * rand();
    return positive ? 0.5 + m : (rand() < 0.5 ? -m : m);
  });

/** Central differences of the scalar sum(f(xs) * weights), in float64 from float32 runs. */
const numericGrad = (
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  values: Float32Array[],
  shapes: number[][],
  weights: tf.Tensor,
  which: number,
  eps: number,
): Float64Array => {
  const loss = (vs: Float32Array[]): number => {
    const t = tf.tidy(() =>
      tf.sum(tf.mul(f(...vs.map((v, i) => tf.tensor(v, shapes[i]))), weights))
    );
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  };
  const out = new Float64Array(values[which].length);
  for (let i = 0; i < out.length; i++) {
    const plus = values.map((v) => v.slice());
    const minus = values.map((v) => v.slice());
    plus[which][i] += eps;
    minus[which][i] -= eps;
    out[i] = (loss(plus) - loss(minus)) / (2 * eps);
  }
  return out;
};

Deno.test("every registered gradient agrees with central finite differences", async () => {
  await tf.setBackend("cpu");
  const prng = makePrng(11);
  const rand = (): number => prng.next();
  const before = tf.memory().numTensors;
  for (const c of CASES) {
    const values = c.inputs.map((s) => draw(rand, s.reduce((a, b) => a * b, 1), !!c.positive));
    const xs = values.map((v, i) => tf.tensor(v, c.inputs[i]));
    const outShape = tf.tidy(() => c.f(...xs).shape);
    const weights = tf.tensor(draw(rand, outShape.reduce((a, b) => a * b, 1), false), outShape);
    const grads = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(c.f(...ts), weights)))(xs);
    for (let k = 0; k < xs.length; k++) {
      const analytic = grads[k].dataSync();
      const numeric = numericGrad(c.f, values, c.inputs, weights, k, 1e-2);
      for (let i = 0; i < numeric.length; i++) {
        const err = Math.abs(analytic[i] - numeric[i]);
        assert(
          err <= 2e-2 * Math.max(1, Math.abs(numeric[i])),
          `${c.kernel} input ${k} [${i}]: analytic ${analytic[i]}, numeric ${numeric[i]}`,
        );
      }
    }
    tf.dispose([...xs, weights, ...grads]);
  }
  assert(tf.memory().numTensors === before, "tensors leaked");
});

Deno.test("the finite-difference cases cover every registered gradient", () => {
  const tested = new Set(CASES.map((c) => c.kernel));
  const missing = GRADIENTS.map((g) => g.kernelName).filter((k) => !tested.has(k));
  assert(missing.length === 0, `no case for ${missing.join(", ")}`);
});

Deno.test("importing @tensorflow/tfjs registers a gradient for each kernel the nets use", () => {
  for (const k of ["Conv2D", "Prelu", "MaxPool", "Softmax", "BatchMatMul", "Add", "Reshape"]) {
    assert(tf.getGradient(k) != null, `no gradient for ${k}`);
  }
});
