/**
 * CPU time of one `trainStep` (wasm, our kernels, full loss with OHEM, Adam) per net and batch
 * size, median over timed steps after warm-up: the plain step, without the profiler's timers
 * (bench/train_profile.ts), and at several batch sizes, so that a step's fixed part (per-op
 * work, Adam) and its cost per sample can be read off (what 2 workers on half batches each pay).
 * CPU time of this process, which other jobs on a shared machine disturb far less than wall time.
 *
 * Run: `deno run -A bench/train_step_cpu.ts [pnet|rnet|onet ...] [--batch 256,128,64]`
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { disposeTensors, initWeights, makeAdam, TASK_WEIGHTS, toVariables } from "../train.ts";
import { useBackend } from "../mod.ts";
import { NET_SPECS, type NetName } from "../weights.ts";
import { trainStep } from "../pipelines/train/train_step.ts";
import { registerWasmGradKernels } from "../pipelines/train/wasm_grad_kernels.ts";
import { BATCH, batchOf } from "./train_batch.ts";
import { cpuMs } from "./_args.ts";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** Timed steps per net: about a second of work each. */
const STEPS: Record<NetName, number> = { pnet: 60, rnet: 15, onet: 5 };

const stepMs = (net: NetName, size: number): number => {
  const vars = toVariables(initWeights(net, 1));
  const names = NET_SPECS[net].map((p) => p.name);
  const all = vars as unknown as Record<string, tf.Variable>;
  const adam = makeAdam(Object.fromEntries(names.map((n) => [n, all[n]])));
  const b = batchOf(net, size);
  const loss = { weights: TASK_WEIGHTS[net] };
  const step = () => trainStep(net, vars, names, adam, loss, b, 1e-4);
  // Warm-up: V8 compiles the step's JavaScript in tiers.
  for (let i = 0; i < Math.ceil(STEPS[net] / 4); i++) step();
  const ms: number[] = [];
  for (let i = 0; i < STEPS[net]; i++) {
    const t0 = cpuMs();
    step();
    ms.push(cpuMs() - t0);
  }
  adam.dispose();
  disposeTensors(vars);
  return median(ms);
};

const r = await useBackend("wasm");
if (r._tag === "Left") throw new Error(r.left.message);
registerWasmGradKernels();
const at = Deno.args.indexOf("--batch");
const sizes = at >= 0 ? Deno.args[at + 1].split(",").map(Number) : undefined;
const nets = Deno.args.filter((a) => a in BATCH) as NetName[];
console.log(`load average: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log("| net | batch | ms CPU per step | samples per CPU second |\n|---|---|---|---|");
for (const net of nets.length ? nets : (["pnet", "rnet", "onet"] as NetName[])) {
  for (const size of sizes ?? [BATCH[net]]) {
    const ms = stepMs(net, size);
    console.log(`| ${net} | ${size} | ${ms.toFixed(2)} | ${(size / ms * 1000).toFixed(0)} |`);
  }
}
