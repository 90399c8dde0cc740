import * as tf from "@tensorflow/tfjs";
import { initWeights, makeAdam, makePrng, type NetName, toVariables } from "../train.ts";
import { assert } from "./_assert.ts";
import { onBackend, type Shape4 } from "./_train_backends.ts";
import { runBuildScript } from "./_build_tools.ts";
import { setWasmTrainKernels, wasmTrainKernels } from "../pipelines/train/wasm_train_kernels.ts";
import { forwardHeads } from "../pipelines/train/train_step.ts";

/** Runs f on cpu and on wasm with our kernels; checks no tensor leaks on wasm. */
const both = async (f: () => Float32Array[]): Promise<[Float32Array[], Float32Array[]]> => {
  const cpu = await onBackend("cpu", f);
  const wasm = await onBackend("wasm", () => {
    assert(wasmTrainKernels() !== undefined, "our training kernels are installed");
    const before = tf.memory().numTensors;
    const r = f();
    assert(tf.memory().numTensors === before, "no tensor leaked");
    return r;
  });
  return [cpu, wasm];
};

const maxRelDiff = (a: Float32Array, b: Float32Array): number => {
  assert(a.length === b.length, `lengths ${a.length} and ${b.length}`);
  let scale = 1e-6;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d / scale;
};

const close = (cpu: Float32Array[], wasm: Float32Array[], tol: number, what: string) => {
  cpu.forEach((c, i) => {
    const d = maxRelDiff(wasm[i], c);
    assert(d < tol, `${what} [${i}]: relative difference ${d}`);
  });
};

/**
 * For each case (input shape, [kh, kw, out channels]): the gradient of sum(conv2d(x, f) * w)
 * with respect to `wrt`, on cpu and on wasm with our kernels, agree within 1e-5.
 */
const convGradsAgree = async (
  cases: [Shape4, [number, number, number]][],
  wrt: "x" | "filter",
) => {
  for (const [xs, [kh, kw, co]] of cases) {
    const fs: Shape4 = [kh, kw, xs[3], co];
    const [cpu, wasm] = await both(() =>
      tf.tidy(() => {
        const x = tf.randomNormal(xs, 0, 1, "float32", 3) as tf.Tensor4D;
        const f = tf.randomNormal(fs, 0, 1, "float32", 4) as tf.Tensor4D;
        const w = tf.randomNormal(tf.conv2d(x, f, 1, "valid").shape, 0, 1, "float32", 5);
        const loss = (t: tf.Tensor) =>
          tf.sum(tf.mul(
            wrt === "x"
              ? tf.conv2d(t as tf.Tensor4D, f, 1, "valid")
              : tf.conv2d(x, t as tf.Tensor4D, 1, "valid"),
            w,
          ));
        return [tf.grad(loss)(wrt === "x" ? x : f).dataSync() as Float32Array];
      })
    );
    close(cpu, wasm, 1e-5, `${xs} * ${fs}`);
  }
};

/** Random shapes from a seeded PRNG: [lo, hi]. */
const rng = makePrng(16);
const pick = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));

Deno.test("filter gradient kernel equals the cpu backend's on random shapes (stride 1, valid)", async () => {
  const cases: [Shape4, [number, number, number]][] = [
    [[3, 12, 12, 3], [3, 3, 10]], // PNet conv1
    [[2, 3, 3, 64], [2, 2, 128]], // ONet conv4
    [[2, 5, 5, 32], [1, 1, 2]], // PNet conv4-2 (2 channels: padded rows)
    [[3, 3, 3, 16], [3, 3, 32]], // PNet conv3 at 12 x 12: a 1 x 1 output (matrix product)
    [[2, 4, 3, 5], [4, 3, 6]], // a 1 x 1 output, channels not whole vectors
  ];
  for (let i = 0; i < 9; i++) {
    const k = pick(1, 4);
    cases.push([[pick(1, 3), pick(k, 13), pick(k, 13), pick(1, 11)], [k, pick(1, k), pick(1, 19)]]);
  }
  await convGradsAgree(cases, "filter");
});

Deno.test("input gradient kernel equals the cpu backend's on random shapes (stride 1, valid)", async () => {
  const cases: [Shape4, [number, number, number]][] = [
    [[2, 12, 12, 10], [3, 3, 16]], // PNet conv2 on a larger map (Winograd)
    [[3, 5, 5, 10], [3, 3, 16]], // PNet conv2 at 12 x 12 (small output: col2im)
    [[3, 3, 3, 16], [3, 3, 32]], // PNet conv3 (1 x 1 output: col2im)
    [[2, 3, 4, 5], [2, 3, 7]], // small output, uneven kernel, 5 channels (col2im)
    [[2, 5, 5, 32], [1, 1, 2]], // PNet conv4-2
  ];
  for (let i = 0; i < 6; i++) {
    const k = pick(1, 4);
    cases.push([[pick(1, 3), pick(k, 12), pick(k, 12), pick(1, 19)], [k, pick(1, k), pick(1, 13)]]);
  }
  await convGradsAgree(cases, "x");
});

Deno.test("max-pool gradient kernel equals the cpu backend's on random shapes and the nets' pools", async () => {
  const cases: [Shape4, number, number, "valid" | "same"][] = [
    [[2, 10, 10, 10], 2, 2, "same"], // PNet
    [[2, 22, 22, 28], 3, 2, "same"], // RNet pool1
    [[2, 9, 9, 48], 3, 2, "valid"], // RNet pool2
    [[2, 8, 8, 64], 2, 2, "same"], // ONet pool3
    [[1, 4, 4, 5], 2, 2, "same"],
    // Windows that tile the input (one pass, no scatter), channels not whole vectors.
    [[1, 6, 6, 7], 2, 2, "valid"],
    [[2, 9, 6, 6], 3, 3, "valid"],
  ];
  for (let i = 0; i < 6; i++) {
    const k = pick(1, 3);
    const pad = rng.next() < 0.5 ? "same" : "valid";
    cases.push([[pick(1, 3), pick(k, 11), pick(k, 11), pick(1, 9)], k, pick(1, 3), pad]);
  }
  for (const [shape, k, s, p] of cases) {
    const [cpu, wasm] = await both(() =>
      tf.tidy(() => {
        // Few distinct values: ties, where the first maximum must win.
        const x = tf.round(tf.randomUniform(shape, 0, 4, "float32", 7)) as tf.Tensor4D;
        const w = tf.randomNormal(tf.maxPool(x, k, s, p).shape, 0, 1, "float32", 5);
        const g = tf.grad((a: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, p), w))
        );
        return [g(x).dataSync() as Float32Array];
      })
    );
    close(cpu, wasm, 1e-6, `${shape} pool ${k}/${s} ${p}`);
  }
});

Deno.test("leading-axis sums and the PReLU gradient equal the cpu backend's", async () => {
  const shapes: number[][] = [[5, 7, 7, 10], [3, 4, 3], [6, 1, 1, 2], [9, 13]];
  for (let i = 0; i < 4; i++) shapes.push([pick(1, 4), pick(1, 9), pick(1, 9), pick(1, 17)]);
  for (const shape of shapes) {
    const c = shape[shape.length - 1];
    const [cpu, wasm] = await both(() =>
      tf.tidy(() => {
        const x = tf.randomNormal(shape, 0, 1, "float32", 8);
        const a = tf.randomUniform([c], 0, 0.5, "float32", 9);
        const w = tf.randomNormal(shape, 0, 1, "float32", 10);
        const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.prelu(p, q), w)));
        const [dx, da] = g([x, a]);
        const lead = Array.from({ length: shape.length - 1 }, (_, i) => i);
        return [dx, da, tf.sum(x, lead), tf.sum(x, [0], true)].map((t) =>
          t.dataSync() as Float32Array
        );
      })
    );
    close(cpu, wasm, 1e-5, `${shape}`);
  }
});

Deno.test("2-D matrix products (plain, transposed a or b, both) equal the cpu backend's", async () => {
  const cases: [number, number, number][] = [[64, 1152, 256], [5, 3, 2], [1, 7, 9]];
  for (let i = 0; i < 5; i++) cases.push([pick(1, 40), pick(1, 40), pick(1, 40)]);
  for (const [m, k, n] of cases) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const [cpu, wasm] = await both(() =>
        tf.tidy(() => {
          const a = tf.randomNormal(ta ? [k, m] : [m, k], 0, 1, "float32", 14) as tf.Tensor2D;
          const b = tf.randomNormal(tb ? [n, k] : [k, n], 0, 1, "float32", 15) as tf.Tensor2D;
          return [tf.matMul(a, b, ta, tb).dataSync() as Float32Array];
        })
      );
      close(cpu, wasm, 1e-5, `${m}x${k}x${n} ${ta} ${tb}`);
    }
  }
});

const netGrads = (net: NetName, n: number) =>
  tf.tidy(() => {
    const vars = toVariables(initWeights(net, 2));
    const all = vars as unknown as Record<string, tf.Variable>;
    const s = { pnet: 12, rnet: 24, onet: 48 }[net];
    const x = tf.randomNormal([n, s, s, 3], 0, 1, "float32", 11) as tf.Tensor4D;
    const { grads } = tf.variableGrads(() => {
      const h = forwardHeads(net, vars)(x);
      const r = tf.randomNormal(h.prob.shape, 0, 1, "float32", 12);
      const lm = h.landmarks ? tf.sum(tf.square(h.landmarks)) : tf.scalar(0);
      return tf.addN([tf.sum(tf.mul(h.prob, r)), tf.sum(tf.square(h.bbox)), lm]) as tf.Scalar;
    }, Object.values(all));
    const out = Object.values(all).map((v) => grads[v.name].dataSync() as Float32Array);
    Object.values(all).forEach((v) => v.dispose());
    return out;
  });

// ONet's too, in tests/wasm_grad_kernels_test.ts (registerWasmGradKernels installs ours).
Deno.test("every parameter gradient of PNet and RNet with our kernels equals the cpu backend's", async () => {
  for (const [net, n] of [["pnet", 3], ["rnet", 2]] as const) {
    const [cpu, wasm] = await both(() => netGrads(net, n));
    close(cpu, wasm, 2e-4, net);
  }
});

Deno.test("fused Adam gives the tensor ops' weights and moments (bit for bit on wasm)", async () => {
  const run = () => {
    const init = tf.randomNormal([7, 5], 0, 1, "float32", 13);
    const w = tf.variable(init);
    init.dispose();
    const adam = makeAdam({ w }, {});
    for (let i = 0; i < 3; i++) {
      tf.tidy(() =>
        adam.apply({ w: tf.mul(w, tf.randomNormal([7, 5], 0, 1, "float32", 21 + i)) }, 0.01)
      );
    }
    const r = [w.dataSync() as Float32Array];
    adam.dispose();
    w.dispose();
    return r;
  };
  const [cpu, fused] = await both(run);
  close(cpu, fused, 1e-6, "adam vs cpu");
  setWasmTrainKernels(false);
  const ops = run();
  setWasmTrainKernels(true);
  assert(ops[0].every((v, i) => v === fused[0][i]), "fused and tensor-op Adam agree bit for bit");
});

Deno.test("the embedded training kernels are what scripts/build_kernels.ts builds", async () => {
  const text = await runBuildScript("build_kernels.ts", "--stdout-train");
  const embedded = await Deno.readTextFile(
    new URL("../lib/kernels/train_wasm_data.ts", import.meta.url),
  );
  assert(
    text === embedded,
    "lib/kernels/train_wasm_data.ts is stale: run scripts/build_kernels.ts",
  );
});

Deno.test("after fused Adam a dense layer computes with the new weights (tfjs-wasm keeps packed copies of weight buffers)", async () => {
  await onBackend("wasm", () => {
    const before = tf.memory().numTensors;
    const init = tf.randomNormal([6, 3], 0, 1, "float32", 41);
    const w = tf.variable(init);
    init.dispose();
    const adam = makeAdam({ w }, {});
    const x = tf.randomNormal([2, 6], 0, 1, "float32", 43) as tf.Tensor2D;
    const g = tf.randomNormal([6, 3], 0, 1, "float32", 42);
    const bias = tf.zeros([3]); // the same tensors each time: tfjs-wasm reuses its packed copy
    const dense = () => tf.tidy(() => tf.fused.matMul({ a: x, b: w, bias }).dataSync());
    for (let i = 0; i < 2; i++) {
      dense(); // tfjs-wasm packs w's buffer here
      adam.apply({ w: g }, 0.1);
      const wv = w.dataSync(), xv = x.dataSync(), y = dense();
      for (let r = 0; r < 2; r++) {
        for (let c = 0; c < 3; c++) {
          let want = 0;
          for (let k = 0; k < 6; k++) want += xv[r * 6 + k] * wv[k * 3 + c];
          assert(Math.abs(y[r * 3 + c] - want) < 1e-4, `step ${i}: ${y[r * 3 + c]} vs ${want}`);
        }
      }
    }
    tf.dispose([x, g, w, bias]);
    adam.dispose();
    assert(tf.memory().numTensors === before, "no tensor leaked");
  });
});
