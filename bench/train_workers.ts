/**
 * One thread against data-parallel workers over a longer run: CPU time (all threads) and wall
 * time per step in blocks of 10 steps (each block's mean, slow steps included), after 2 s of
 * warm-up steps (V8 compiles wasm and JavaScript in tiers, each worker its own), so that the
 * steady cost per step can be read.
 *
 * Run: `deno run -A bench/train_workers.ts [pnet|rnet|onet] [--workers 2]`
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { initWeights, makeAdam, TASK_WEIGHTS, toVariables } from "../train.ts";
import { useBackend } from "../mod.ts";
import { NET_SPECS, type NetName } from "../weights.ts";
import process from "node:process";
import { startParallelTrainer } from "../pipelines/train/parallel_train.ts";
import { trainStep } from "../pipelines/train/train_step.ts";
import { batchOf } from "./train_batch.ts";
await useBackend("wasm");
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const net = (Deno.args.find((a) => !a.startsWith("--") && /net$/.test(a)) ?? "pnet") as NetName;
const at = Deno.args.indexOf("--workers");
const n = at >= 0 ? Math.max(2, Number(Deno.args[at + 1]) || 2) : 2;
console.log(`load average: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
for (const workers of [0, n]) {
  const vars = toVariables(initWeights(net, 1));
  const names = NET_SPECS[net].map((p) => p.name);
  const all = vars as unknown as Record<string, tf.Variable>;
  const adam = makeAdam(Object.fromEntries(names.map((n) => [n, all[n]])));
  const b = batchOf(net);
  const t = workers ? await startParallelTrainer(net, workers, b.size) : undefined;
  const step = () =>
    t
      ? t.step(vars, names, adam, { weights: TASK_WEIGHTS[net] }, b, 1e-4)
      : trainStep(net, vars, names, adam, { weights: TASK_WEIGHTS[net] }, b, 1e-4);
  // V8's tiers: the first ~50 steps run slower than the rest; time the steady state.
  const warmUntil = performance.now() + 2000;
  for (let i = 0; i < 2 || performance.now() < warmUntil; i++) await step();
  for (const phase of [0, 1, 2, 3]) {
    const c0 = cpu(), w0 = performance.now();
    for (let i = 0; i < 10; i++) await step();
    console.log(
      net,
      `workers ${workers} block ${phase}: ${((cpu() - c0) / 10).toFixed(1)} ms CPU, ${
        ((performance.now() - w0) / 10).toFixed(1)
      } ms wall per step`,
    );
  }
  t?.terminate();
}
