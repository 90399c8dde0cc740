import * as tf from "@tensorflow/tfjs";
import { makePrng } from "../train.ts";
import { assert } from "./_assert.ts";
import { onBackend, type Shape4 } from "./_train_backends.ts";
import { convPrelu } from "../lib/nets/layers.ts";
import { CONV_PRELU_KERNEL, useConvPreluOp } from "../lib/nets/conv_prelu_op.ts";
import { setWasmTrainKernels } from "../pipelines/train/wasm_train_kernels.ts";

const maxRelDiff = (a: Float32Array, b: Float32Array): number => {
  assert(a.length === b.length, `lengths ${a.length} and ${b.length}`);
  let scale = 1e-6, d = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d / scale;
};

const rng = makePrng(1616);
const pick = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));

interface Case {
  readonly x: Shape4;
  readonly f: Shape4;
  readonly prelu: boolean;
}

/** y and the gradients of sum(y * r) for x, filter, bias (and alpha), through `convPrelu`. */
const run = (c: Case, countOp: () => number) =>
  tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, "float32", 3) as tf.Tensor4D;
    const f = tf.randomNormal(c.f, 0, 0.5, "float32", 4) as tf.Tensor4D;
    const b = tf.randomNormal([c.f[3]], 0, 0.5, "float32", 5);
    // Alphas of both signs, as training may make them.
    const a = tf.randomNormal([c.f[3]], 0, 0.5, "float32", 6);
    const inputs = c.prelu ? [x, f, b, a] : [x, f, b];
    const y = convPrelu(x, f, b, c.prelu ? a : undefined);
    const r = tf.randomNormal(y.shape, 0, 1, "float32", 7);
    const before = countOp();
    const g = tf.grads((...ts: tf.Tensor[]) =>
      tf.sum(tf.mul(convPrelu(ts[0] as tf.Tensor4D, ts[1], ts[2], ts[3]), r))
    )(inputs);
    return { out: [y, ...g].map((t) => t.dataSync() as Float32Array), ops: countOp() - before };
  });

const cases: Case[] = [
  { x: [3, 12, 12, 3], f: [3, 3, 3, 10], prelu: true }, // PNet conv1
  { x: [3, 5, 5, 10], f: [3, 3, 10, 16], prelu: true }, // PNet conv2 (Winograd forward)
  { x: [3, 3, 3, 16], f: [3, 3, 16, 32], prelu: true }, // PNet conv3
  { x: [3, 1, 1, 32], f: [1, 1, 32, 4], prelu: false }, // PNet conv4-1
  { x: [2, 11, 11, 28], f: [3, 3, 28, 48], prelu: true }, // RNet conv2
  { x: [2, 4, 4, 48], f: [2, 2, 48, 64], prelu: true }, // RNet conv3 (patches)
  { x: [2, 4, 3, 5], f: [2, 2, 5, 7], prelu: true }, // a 3 x 2 output (patches)
  // Rows x channels not a whole number of lcm(channels, 4) periods: the kernels' scalar tails.
  { x: [1, 4, 4, 3], f: [2, 2, 3, 5], prelu: true },
  { x: [1, 4, 6, 3], f: [2, 2, 3, 10], prelu: true },
];
for (let i = 0; i < 5; i++) {
  const k = pick(1, 4);
  const x: Shape4 = [pick(1, 3), pick(k, 11), pick(k, 11), pick(1, 13)];
  cases.push({ x, f: [k, pick(1, k), x[3], pick(1, 19)], prelu: rng.next() < 0.7 });
}

Deno.test("convPrelu under a tape on wasm runs one op whose output and gradients equal the cpu backend's unfused ops", async () => {
  let opRuns = 0;
  const kernel = await onBackend("wasm", () => tf.getKernel(CONV_PRELU_KERNEL, "wasm"));
  assert(kernel !== undefined, "the op's kernel is registered on wasm");
  tf.unregisterKernel(CONV_PRELU_KERNEL, "wasm");
  tf.registerKernel({ ...kernel, kernelFunc: (args) => (opRuns++, kernel.kernelFunc(args)) });
  try {
    for (const c of cases) {
      const cpu = await onBackend("cpu", () => run(c, () => 0));
      const wasm = await onBackend("wasm", () => {
        const before = tf.memory().numTensors;
        const r = run(c, () => opRuns);
        assert(tf.memory().numTensors === before, "no tensor leaked");
        return r;
      });
      assert(wasm.ops === 1, `${c.x} * ${c.f}: the fused op ran once under the tape`);
      const names = ["y", "dx", "dfilter", "dbias", "dalpha"];
      cpu.out.forEach((v, i) => {
        const d = maxRelDiff(wasm.out[i], v);
        assert(d < 1e-4, `${c.x} * ${c.f} ${names[i]}: relative difference ${d}`);
      });
    }
  } finally {
    tf.unregisterKernel(CONV_PRELU_KERNEL, "wasm");
    tf.registerKernel(kernel);
  }
});

Deno.test("convPrelu's taped output is the detection output bit for bit (outputs of up to 9 pixels within 1e-5), and detection does not use the op", async () => {
  await onBackend("wasm", () => {
    for (const c of cases) {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomNormal(c.x, 0, 1, "float32", 3) as tf.Tensor4D;
        const f = tf.randomNormal(c.f, 0, 0.5, "float32", 4) as tf.Tensor4D;
        const b = tf.randomNormal([c.f[3]], 0, 0.5, "float32", 5);
        const a = c.prelu ? tf.randomNormal([c.f[3]], 0, 0.5, "float32", 6) : undefined;
        assert(!useConvPreluOp(), "no tape: the fused detection kernel runs");
        const plain = convPrelu(x, f, b, a).dataSync();
        let used = false;
        const taped = tf.grad((t: tf.Tensor) => {
          used = useConvPreluOp();
          const y = convPrelu(t as tf.Tensor4D, f, b, a);
          const v = y.dataSync() as Float32Array;
          if ((c.x[1] - c.f[0] + 1) * (c.x[2] - c.f[1] + 1) <= 9 && c.f[0] * c.f[1] > 1) {
            // Outputs of up to 3 x 3: a matrix product in training, maybe Winograd in detection.
            const d = maxRelDiff(v, plain as Float32Array);
            assert(d < 1e-5, `${c.x} * ${c.f}: relative difference ${d}`);
          } else {
            assert(v.every((e, i) => Object.is(e, plain[i])), `${c.x} * ${c.f}: same bits`);
          }
          return tf.sum(y);
        });
        taped(x);
        assert(used, "under a tape the op runs");
      });
      assert(tf.memory().numTensors === before, "no tensor leaked");
    }
    // Exact zeros before PReLU with negative alphas: +0 in both (not -0 = 0 * alpha).
    tf.tidy(() => {
      const x = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
      const f = tf.ones([3, 3, 3, 5]) as tf.Tensor4D, b = tf.zeros([5]), a = tf.fill([5], -0.5);
      const plain = convPrelu(x, f, b, a).dataSync();
      tf.grad((t: tf.Tensor) => {
        const y = convPrelu(t as tf.Tensor4D, f, b, a);
        const v = y.dataSync();
        assert(v.every((e, i) => Object.is(e, plain[i]) && Object.is(e, 0)), "+0 as detection");
        return tf.sum(y);
      })(x);
    });
  });
});

Deno.test("convPrelu's gradients agree with central finite differences on wasm", async () => {
  await onBackend("wasm", () => {
    const c = { x: [2, 6, 6, 3] as Shape4, f: [3, 3, 3, 5] as Shape4 };
    const x = tf.randomNormal(c.x, 0, 1, "float32", 31) as tf.Tensor4D;
    const f = tf.randomNormal(c.f, 0, 0.5, "float32", 32) as tf.Tensor4D;
    const b = tf.randomNormal([5], 0, 0.5, "float32", 33);
    const a = tf.randomNormal([5], 0, 0.5, "float32", 34);
    const r = tf.randomNormal([2, 4, 4, 5], 0, 1, "float32", 35);
    const loss = (ts: tf.Tensor[]) =>
      tf.sum(tf.mul(convPrelu(ts[0] as tf.Tensor4D, ts[1], ts[2], ts[3]), r)) as tf.Scalar;
    const inputs = [x, f, b, a];
    const grads = tf.grads((...ts: tf.Tensor[]) => loss(ts))(inputs);
    const eps = 1e-3;
    inputs.forEach((t, k) => {
      const g = grads[k].dataSync();
      const v = t.dataSync() as Float32Array;
      for (const i of [0, 7 % v.length, v.length - 1]) {
        const at = (d: number) => {
          const w = v.slice();
          w[i] += d;
          return tf.tidy(() => {
            const ts = inputs.map((u, j) => (j === k ? tf.tensor(w, u.shape) : u));
            return loss(ts).dataSync()[0];
          });
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        assert(
          Math.abs(fd - g[i]) < 2e-2 * Math.max(1, Math.abs(fd)),
          `input ${k}[${i}]: ${g[i]} vs ${fd}`,
        );
      }
    });
    tf.dispose([x, f, b, a, r, ...grads]);
  });
});

Deno.test("with our training kernels off, convPrelu under a tape runs tfjs's unfused ops", async () => {
  await onBackend("wasm", () => {
    setWasmTrainKernels(false);
    try {
      let used = true;
      tf.tidy(() =>
        tf.grad((t: tf.Tensor) => {
          used = useConvPreluOp();
          return tf.sum(convPrelu(t as tf.Tensor4D, tf.ones([1, 1, 2, 2]), tf.zeros([2])));
        })(tf.ones([1, 2, 2, 2]))
      );
      assert(!used, "the op's kernels are removed with the others");
    } finally {
      setWasmTrainKernels(true);
    }
    assert(tf.getKernel(CONV_PRELU_KERNEL, "wasm") !== undefined, "and come back with them");
  });
});
