/**
 * Training speed per network and backend, in samples per second: Adam steps on random
 * batches (the full loss with OHEM), after warm-up steps, median over timed runs. Prints a
 * Markdown table. Run: `deno run -A bench/train_speed.ts [wasm|cpu ...]`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { disposeTensors, initWeights, makeAdam, TASK_WEIGHTS, toVariables } from "../train.ts";
import { useBackend } from "../mod.ts";
import { NET_INPUT_SIZE, NET_SPECS, type NetName } from "../weights.ts";
import type { HostBatch } from "../train.ts";
import { trainStep } from "../pipelines/train/train_step.ts";
import { registerWasmGradKernels } from "../pipelines/train/wasm_grad_kernels.ts";

const BATCH: Record<NetName, number> = { pnet: 256, rnet: 128, onet: 64 };

const batchOf = (net: NetName): HostBatch => {
  const n = BATCH[net];
  const s = NET_INPUT_SIZE[net];
  const labels = Int8Array.from({ length: n }, (_, i) => [0, 0, 0, 1, -1, -2, -2][i % 7]);
  return {
    size: n,
    images: Float32Array.from({ length: n * s * s * 3 }, (_, i) => Math.sin(i) * 0.9),
    labels,
    box: Float32Array.from({ length: n * 4 }, (_, i) => Math.cos(i) * 0.1),
    landmarks: Float32Array.from({ length: n * 10 }, (_, i) => 0.5 + Math.sin(i) * 0.2),
  };
};

const measure = (net: NetName, steps: number): number => {
  const vars = toVariables(initWeights(net, 1));
  const names = NET_SPECS[net].map((p) => p.name);
  const all = vars as unknown as Record<string, tf.Variable>;
  const adam = makeAdam(Object.fromEntries(names.map((n) => [n, all[n]])));
  const b = batchOf(net);
  const loss = { weights: TASK_WEIGHTS[net] };
  for (let i = 0; i < 2; i++) trainStep(net, vars, names, adam, loss, b, 1e-4);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    trainStep(net, vars, names, adam, loss, b, 1e-4);
    times.push(performance.now() - t0);
  }
  adam.dispose();
  disposeTensors(vars);
  times.sort((a, c) => a - c);
  return b.size / (times[times.length >> 1] / 1000);
};

const backends = Deno.args.length ? Deno.args : ["wasm", "cpu"];
console.log("| backend | net | batch | samples/s (median step) |\n|---|---|---|---|");
for (const be of backends) {
  const r = await useBackend(be as "wasm" | "cpu");
  if (r._tag === "Left") {
    console.log(`| ${be} | - | - | unavailable: ${r.left.message} |`);
    continue;
  }
  if (r.right === "wasm") registerWasmGradKernels();
  for (const net of ["pnet", "rnet", "onet"] as const) {
    const sps = measure(net, be === "cpu" ? 3 : 7);
    console.log(`| ${r.right} | ${net} | ${BATCH[net]} | ${sps.toFixed(0)} |`);
  }
}
