import * as tf from "@tensorflow/tfjs";
import { assert } from "./_assert.ts";
import { initWeights } from "../lib/train/init_weights.ts";
import { makeAdam } from "../lib/train/adam.ts";
import { TASK_WEIGHTS } from "../lib/train/losses.ts";
import { NET_SPECS, type NetName, toVariables, useBackend } from "../mod.ts";
import { startParallelTrainer } from "../pipelines/train/parallel_train.ts";
import { trainStep } from "../pipelines/train/train_step.ts";
import { registerWasmGradKernels } from "../pipelines/train/wasm_grad_kernels.ts";
import { batchOf } from "../bench/train_batch.ts";

const backend = await useBackend("wasm")();
if (backend._tag === "Right") registerWasmGradKernels();

/** Weights after `steps` Adam steps, in this thread or over `workers` workers. */
const train = async (net: NetName, n: number, steps: number, workers: number) => {
  const vars = toVariables(initWeights(net, 5));
  const names = NET_SPECS[net].map((p) => p.name);
  const all = vars as unknown as Record<string, tf.Variable>;
  // epsilon 1: the update is nearly linear in the gradient, so the comparison sees the gradients
  // (with 1e-8, Adam turns near-zero gradients' rounding into steps of the learning rate).
  const adam = makeAdam(Object.fromEntries(names.map((k) => [k, all[k]])), { epsilon: 1 });
  const loss = { weights: TASK_WEIGHTS[net] };
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
    for (const [net, n] of [["pnet", 64], ["rnet", 22], ["onet", 9]] as const) {
      const one = await train(net, n, 3, 0);
      const two = await train(net, n, 3, 2);
      const again = await train(net, n, 3, 2);
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
