import * as tf from "@tensorflow/tfjs";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./_assert.ts";
import {
  generatePnetSet,
  initWeights,
  loadTrainingImages,
  makeAdam,
  TASK_WEIGHTS,
  toVariables,
  trainNet,
  type TrainOptions,
} from "../train.ts";
import { useBackend } from "../mod.ts";
import { NET_SPECS, type NetName } from "../weights.ts";
import { startParallelTrainer } from "../pipelines/train/parallel_train.ts";
import { trainStep } from "../pipelines/train/train_step.ts";
import { registerWasmGradKernels } from "../pipelines/train/wasm_grad_kernels.ts";
import { batchOf } from "../bench/train_batch.ts";

const backend = await useBackend("wasm");
if (backend._tag === "Right") registerWasmGradKernels();

/** Weights after `steps` Adam steps, in this thread or over `workers` workers. */
const train = async (
  net: NetName,
  n: number,
  steps: number,
  workers: number,
  boxLoss: "mse" | "smoothL1" = "mse",
) => {
  const vars = toVariables(initWeights(net, 5));
  const names = NET_SPECS[net].map((p) => p.name);
  const all = vars as unknown as Record<string, tf.Variable>;
  // epsilon 1: the update is nearly linear in the gradient, so the comparison sees the gradients
  // (with 1e-8, Adam turns near-zero gradients' rounding into steps of the learning rate).
  const adam = makeAdam(Object.fromEntries(names.map((k) => [k, all[k]])), { epsilon: 1 });
  const loss = { weights: TASK_WEIGHTS[net], boxLoss };
  const b = batchOf(net, n);
  const trainer = workers ? await startParallelTrainer(net, workers, n) : undefined;
  const before = tf.memory().numTensors;
  const losses: number[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      losses.push(
        trainer
          ? await trainer.step(vars, names, adam, loss, b, 0.01)
          : trainStep(net, vars, names, adam, loss, b, 0.01),
      );
    }
  } finally {
    trainer?.terminate();
  }
  assert(tf.memory().numTensors === before, "no tensor leaked by the steps");
  const w = names.map((k) => Float32Array.from(all[k].dataSync() as Float32Array));
  adam.dispose();
  Object.values(all).forEach((v) => v.dispose());
  return { w, losses };
};

Deno.test({
  name: "steps over 2 workers give one thread's weights and losses (float tolerance), repeatably",
  ignore: backend._tag === "Left",
  fn: async () => {
    const cases = [["pnet", 64, "mse"], ["rnet", 22, "smoothL1"], ["onet", 9, "mse"]] as const;
    for (const [net, n, box] of cases) {
      const one = await train(net, n, 3, 0, box);
      const two = await train(net, n, 3, 2, box);
      const again = await train(net, n, 3, 2, box);
      let worst = 0;
      one.w.forEach((a, i) => {
        let scale = 1e-3;
        for (const v of a) scale = Math.max(scale, Math.abs(v));
        for (let j = 0; j < a.length; j++) {
          worst = Math.max(worst, Math.abs(a[j] - two.w[i][j]) / scale);
        }
      });
      assert(worst < 1e-5, `${net}: weights differ by ${worst} of their scale`);
      one.losses.forEach((l, i) =>
        assert(
          Math.abs(l - two.losses[i]) < 1e-5 * Math.max(1, l),
          `${net} loss ${l} vs ${two.losses[i]}`,
        )
      );
      assert(
        two.w.every((a, i) => a.every((v, j) => v === again.w[i][j])),
        `${net}: two runs with 2 workers agree bit for bit`,
      );
      // It trained: the weights moved.
      const first = initWeights(net, 5).params as Record<string, Float32Array>;
      assert(two.w[0].some((v, j) => v !== first[NET_SPECS[net][0].name][j]), "weights moved");
    }
  },
});

const FIXTURE = fileURLToPath(new URL("../fixtures/train/faces.json", import.meta.url));

const options = (data: string, out: string, workers: number): TrainOptions<"pnet"> => ({
  net: "pnet",
  data,
  out,
  epochs: 2,
  batchSize: 16,
  seed: 11,
  lr: { kind: "cosine", base: 0.01, total: 14 },
  loss: { weights: TASK_WEIGHTS.pnet },
  init: initWeights("pnet", 11),
  checkpointEvery: 4,
  flip: true,
  workers,
});

Deno.test({
  name:
    "trainNet with 2 workers: resumed runs end bit for bit as uninterrupted ones, near 1 thread",
  ignore: backend._tag === "Left",
  fn: async () => {
    const dirs = await Promise.all([0, 1, 2, 3].map(() => Deno.makeTempDir()));
    const [data, a, b, c] = dirs;
    try {
      const imgs = await loadTrainingImages(FIXTURE, "json");
      if (imgs._tag === "Left") throw new Error(imgs.left.message);
      const set = await generatePnetSet(imgs.right, { out: data, seed: 4, shardSize: 40 });
      if (set._tag === "Left") throw new Error(set.left.message);
      const n = tf.memory().numTensors;
      const full = await trainNet(options(data, a, 2));
      assert(full._tag === "Right", full._tag === "Left" ? full.left.message : "");
      assert(tf.memory().numTensors === n, "no tensor leaked by training with workers");
      // 7 steps per epoch: stop at 9 (checkpoint at 8), then resume.
      const part = await trainNet({ ...options(data, b, 2), maxSteps: 9 });
      assert(part._tag === "Right" && part.right.steps === 9);
      const rest = await trainNet({ ...options(data, b, 2), resume: true });
      const one = await trainNet(options(data, c, 0));
      if (full._tag !== "Right" || rest._tag !== "Right" || one._tag !== "Right") {
        throw new Error("a run failed");
      }
      const p = (r: typeof full) => r.right.weights.params as Record<string, Float32Array>;
      for (const [k, v] of Object.entries(p(full))) {
        assert(v.every((x, i) => x === p(rest)[k][i]), `${k}: resumed run differs`);
        const d = v.reduce((m, x, i) => Math.max(m, Math.abs(x - p(one)[k][i])), 0);
        // Adam (epsilon 1e-8) turns rounding in near-zero gradients into steps of up to lr.
        assert(d < 0.05, `${k}: ${d} from the one-thread run`);
      }
      const bad = await trainNet({ ...options(data, c, 2), distill: 1 });
      assert(
        bad._tag === "Left" && bad.left._tag === "OptionError",
        "workers with distill refused",
      );
    } finally {
      for (const d of dirs) await Deno.remove(d, { recursive: true });
    }
  },
});

Deno.test("train --workers: a fraction or --distill with workers is a usage error (exit 2)", async () => {
  const { run } = await import("../cli/train.ts");
  const base = ["--net", "pnet", "--data", "/nonexistent", "--out", "/nonexistent/out"];
  assertEquals(await run([...base, "--workers", "1.5"]), 2);
  assertEquals(await run([...base, "--workers", "2", "--distill", "1"]), 2);
});
