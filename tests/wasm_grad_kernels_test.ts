import * as tf from "@tensorflow/tfjs";
import { assert } from "./_assert.ts";
import { initWeights, toVariables } from "../train.ts";
import { useBackend } from "../mod.ts";
import type { NetName } from "../weights.ts";
import { forwardHeads } from "../pipelines/train/train_step.ts";
import { registerWasmGradKernels } from "../pipelines/train/wasm_grad_kernels.ts";

const onBackend = async <T>(name: "cpu" | "wasm", f: () => T | Promise<T>): Promise<T> => {
  if (name === "cpu") await tf.setBackend("cpu");
  else {
    const r = await useBackend("wasm");
    if (r._tag === "Left") throw new Error(r.left.message);
    registerWasmGradKernels();
  }
  return await f();
};

const maxRelDiff = (a: Float32Array, b: Float32Array): number => {
  let scale = 1e-6;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d / scale;
};

type Shape4 = [number, number, number, number];

const filterGrad = (
  xs: Shape4,
  fs: Shape4,
  stride: number,
  pad: "valid" | "same",
): Float32Array =>
  tf.tidy(() => {
    const x = tf.randomNormal(xs, 0, 1, "float32", 3) as tf.Tensor4D;
    const f = tf.randomNormal(fs, 0, 1, "float32", 4) as tf.Tensor4D;
    const w = tf.randomNormal(tf.conv2d(x, f, stride, pad).shape, 0, 1, "float32", 5);
    const g = tf.grad((k: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(x, k as tf.Tensor4D, stride, pad), w))
    )(f);
    return g.dataSync() as Float32Array;
  });

const CASES: [Shape4, Shape4, number, "valid" | "same"][] = [
  [[2, 12, 12, 3], [3, 3, 3, 10], 1, "valid"], // PNet conv1
  [[3, 11, 11, 48], [2, 2, 48, 64], 1, "valid"], // RNet conv3
  [[2, 3, 3, 64], [2, 2, 64, 128], 1, "valid"], // ONet conv4
  [[2, 9, 7, 4], [3, 3, 4, 5], 2, "valid"],
  [[2, 9, 7, 4], [3, 2, 4, 5], 2, "same"],
  [[1, 8, 8, 2], [3, 3, 2, 3], 1, "same"],
];

Deno.test("Conv2DBackpropFilter on wasm equals the cpu backend's (stride 1 and 2, valid and same)", async () => {
  for (const [xs, fs, s, p] of CASES) {
    const cpu = await onBackend("cpu", () => filterGrad(xs, fs, s, p));
    const wasm = await onBackend("wasm", () => {
      const before = tf.memory().numTensors;
      const g = filterGrad(xs, fs, s, p);
      assert(tf.memory().numTensors === before, "no tensor leaked by the kernel");
      return g;
    });
    const d = maxRelDiff(wasm, cpu);
    assert(d < 1e-5, `${xs} * ${fs} stride ${s} ${p}: relative difference ${d}`);
  }
});

const poolGrad = (shape: Shape4, k: number, s: number, p: "valid" | "same"): Float32Array =>
  tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 1, "float32", 3) as tf.Tensor4D;
    const w = tf.randomNormal(tf.maxPool(x, k, s, p).shape, 0, 1, "float32", 5);
    return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, p), w)))(x)
      .dataSync() as Float32Array;
  });

Deno.test("MaxPoolGrad on wasm (replaced: the native one misroutes) equals the cpu backend's", async () => {
  const cases: [Shape4, number, number, "valid" | "same"][] = [
    [[1, 4, 4, 1], 2, 2, "same"],
    [[2, 10, 10, 10], 2, 2, "same"], // PNet pool1
    [[2, 22, 22, 28], 3, 2, "same"], // RNet pool1
    [[2, 9, 9, 48], 3, 2, "valid"], // RNet pool2
    [[2, 4, 4, 64], 2, 2, "same"], // ONet pool3
    [[1, 7, 5, 2], 3, 1, "same"],
  ];
  for (const [shape, k, s, p] of cases) {
    const cpu = await onBackend("cpu", () => poolGrad(shape, k, s, p));
    const wasm = await onBackend("wasm", () => {
      const before = tf.memory().numTensors;
      const g = poolGrad(shape, k, s, p);
      assert(tf.memory().numTensors === before, "no tensor leaked by the kernel");
      return g;
    });
    const d = maxRelDiff(wasm, cpu);
    assert(d < 1e-6, `${shape} pool ${k}/${s} ${p}: relative difference ${d}`);
  }
});

const netGrads = (net: NetName): Record<string, Float32Array> => {
  const vars = toVariables(initWeights(net, 9));
  const side = net === "pnet" ? 12 : net === "rnet" ? 24 : 48;
  const out = tf.tidy(() => {
    const x = tf.randomNormal([2, side, side, 3], 0, 1, "float32", 6) as tf.Tensor4D;
    const { grads } = tf.variableGrads(() => {
      const h = forwardHeads(net, vars)(x);
      const parts = [tf.sum(tf.log(h.prob)), tf.sum(tf.square(h.bbox))];
      if (h.landmarks) parts.push(tf.sum(tf.square(h.landmarks)));
      return tf.addN(parts) as tf.Scalar;
    });
    const byVar = vars as unknown as Record<string, tf.Variable>;
    return Object.fromEntries(
      Object.keys(byVar).filter((k) => grads[byVar[k].name]).map((
        k,
      ) => [k, grads[byVar[k].name].dataSync() as Float32Array]),
    );
  });
  for (const v of Object.values(vars)) v.dispose();
  return out;
};

Deno.test("every gradient of PNet, RNet and ONet on wasm equals the cpu backend's", async () => {
  for (const net of ["pnet", "rnet", "onet"] as const) {
    const cpu = await onBackend("cpu", () => netGrads(net));
    const wasm = await onBackend("wasm", () => netGrads(net));
    assert(Object.keys(cpu).length >= 13, `${net}: all parameters have gradients`);
    for (const k of Object.keys(cpu)) {
      const d = maxRelDiff(wasm[k], cpu[k]);
      assert(d < 1e-4, `${net} ${k}: relative difference ${d}`);
    }
  }
});
