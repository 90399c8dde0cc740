import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { useBackend } from "../mod.ts";
import { channelGroups, setWasmConvKernels, wasmConvKernels } from "../lib/kernels/wasm_conv.ts";
import { weightsFirst } from "../lib/kernels/instance.ts";
import { runBuildScript } from "./_build_tools.ts";

const wasm = async () => {
  const r = await useBackend("wasm");
  if (r._tag === "Left") throw new Error(r.left.message);
};

/** Runs f with our kernels on, then off (tfjs-wasm's own), and returns both results. */
const both = (f: () => tf.Tensor): [Float32Array, Float32Array, number[], number[]] => {
  try {
    setWasmConvKernels(true);
    const a = tf.tidy(f);
    setWasmConvKernels(false);
    const b = tf.tidy(f);
    const r: [Float32Array, Float32Array, number[], number[]] = [
      a.dataSync() as Float32Array,
      b.dataSync() as Float32Array,
      a.shape,
      b.shape,
    ];
    a.dispose();
    b.dispose();
    return r;
  } finally {
    setWasmConvKernels(true);
  }
};

const maxDiff = (a: Float32Array, b: Float32Array): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

Deno.test("our wasm convolutions run (with FMA where the runtime has relaxed SIMD)", async () => {
  await wasm();
  const k = wasmConvKernels();
  assert(k !== undefined, "our kernels should be installed on wasm");
  setWasmConvKernels(false);
  assertEquals(wasmConvKernels(), undefined);
  setWasmConvKernels(true);
});

Deno.test("our wasm convolutions equal tfjs-wasm's on 240 random shapes, biases and activations", async () => {
  await wasm();
  const before = tf.memory().numTensors;
  const acts = ["linear", "relu", "prelu"] as const;
  let worst = 0;
  for (let i = 0; i < 240; i++) {
    const n = 1 + (i % 3), kh = 1 + (i % 4), kw = 1 + ((i >> 2) % 3);
    const ci = 1 + (i * 7) % 19, co = 1 + (i * 5) % 37;
    const h = kh + (i % 9), w = kw + ((i * 3) % 11);
    const act = acts[i % 3];
    const [a, b, sa, sb] = both(() => {
      const x = tf.randomNormal([n, h, w, ci], 0, 1, "float32", i + 11) as tf.Tensor4D;
      const f = tf.randomNormal([kh, kw, ci, co], 0, 1, "float32", i + 12) as tf.Tensor4D;
      const bias = tf.randomNormal([co], 0, 1, "float32", i + 13);
      const alpha = tf.randomUniform([co], 0, 0.5, "float32", i + 14);
      const fused = tf.fused.conv2d({
        x,
        filter: f,
        strides: 1,
        pad: "valid",
        bias: i % 5 ? bias : undefined,
        activation: act,
        preluActivationWeights: act === "prelu" ? alpha : undefined,
      });
      return tf.concat([tf.reshape(fused, [-1]), tf.reshape(tf.conv2d(x, f, 1, "valid"), [-1])]);
    });
    assertEquals(sa, sb);
    worst = Math.max(worst, maxDiff(a, b));
  }
  assert(worst < 1e-4, `largest difference ${worst}`);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("cases our kernels do not cover still run tfjs-wasm's (stride, same, dilation)", async () => {
  await wasm();
  const x = tf.randomNormal([1, 9, 9, 3], 0, 1, "float32", 7) as tf.Tensor4D;
  const f = tf.randomNormal([3, 3, 3, 5], 0, 1, "float32", 8) as tf.Tensor4D;
  const cpuRef = async (g: () => tf.Tensor) => {
    const ours = g();
    const a = ours.dataSync() as Float32Array;
    ours.dispose();
    await tf.setBackend("cpu");
    const r = g();
    const b = r.dataSync() as Float32Array;
    r.dispose();
    await wasm();
    return maxDiff(a, b);
  };
  assert((await cpuRef(() => tf.conv2d(x, f, 2, "valid"))) < 1e-4);
  assert((await cpuRef(() => tf.conv2d(x, f, 1, "same"))) < 1e-4);
  assert((await cpuRef(() => tf.conv2d(x, f, 1, "valid", "NHWC", 2))) < 1e-4);
  x.dispose();
  f.dispose();
});

Deno.test("our wasm convolutions equal tfjs-wasm's on MTCNN's layer shapes (wide rows, row tails)", async () => {
  await wasm();
  const before = tf.memory().numTensors;
  // [input, filter]: the first layers (3 channels: weight-first kernels, 22 px rows end in a
  // half step), Winograd layers, PNet's 1x1 heads and RNet's 2x2 layer (3 px rows: pixel-first).
  type Shape = [number, number, number, number];
  const cases: [Shape, Shape][] = [
    [[1, 31, 43, 3], [3, 3, 3, 10]],
    [[3, 24, 24, 3], [3, 3, 3, 28]],
    [[2, 48, 48, 3], [3, 3, 3, 32]],
    [[3, 11, 11, 28], [3, 3, 28, 48]],
    [[2, 23, 23, 32], [3, 3, 32, 64]],
    [[1, 21, 30, 32], [1, 1, 32, 4]],
    [[1, 21, 30, 32], [1, 1, 32, 2]],
    [[4, 4, 4, 48], [2, 2, 48, 64]],
  ];
  for (const [i, [xs, fs]] of cases.entries()) {
    const [a, b, sa, sb] = both(() =>
      tf.fused.conv2d({
        x: tf.randomNormal(xs, 0, 1, "float32", 31 + i) as tf.Tensor4D,
        filter: tf.randomNormal(fs, 0, 0.3, "float32", 41 + i) as tf.Tensor4D,
        strides: 1,
        pad: "valid",
        bias: tf.randomNormal([fs[3]], 0, 1, "float32", 51 + i),
        activation: "prelu",
        preluActivationWeights: tf.randomUniform([fs[3]], 0, 0.5, "float32", 61 + i),
      })
    );
    assertEquals(sa, sb);
    const d = maxDiff(a, b);
    assert(d < 1e-4, `${xs} * ${fs}: largest difference ${d}`);
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("weight-first kernels take rows where their larger steps leave no more slots idle", () => {
  // 3 vectors: 4 px per step against 3 (pixel-first).
  assert(weightsFirst(3, 22) && weightsFirst(3, 46) && weightsFirst(3, 248));
  assert(!weightsFirst(3, 3) && !weightsFirst(3, 9));
  // 2 vectors: 6 px against 4; 4 vectors: 2 px against 3.
  assert(weightsFirst(2, 12) && !weightsFirst(2, 4) && weightsFirst(4, 22) && !weightsFirst(4, 3));
});

Deno.test("channel groups: 3 vectors at a time while more than 4 are left", () => {
  assertEquals(channelGroups(2), [1]);
  assertEquals(channelGroups(10), [3]);
  assertEquals(channelGroups(16), [4]);
  assertEquals(channelGroups(28), [3, 4]);
  assertEquals(channelGroups(32), [3, 3, 2]);
  assertEquals(channelGroups(64), [3, 3, 3, 3, 4]);
});

Deno.test("the embedded kernels are what scripts/build_kernels.ts builds", async () => {
  const text = await runBuildScript("build_kernels.ts", "--stdout");
  const embedded = await Deno.readTextFile(
    new URL("../lib/kernels/conv_wasm_data.ts", import.meta.url),
  );
  assert(text === embedded, "lib/kernels/conv_wasm_data.ts is stale: run scripts/build_kernels.ts");
});
