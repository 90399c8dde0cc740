/**
 * Where a training step's time goes, per kernel and phase, on the wasm backend: the same step
 * as `trainStep` (random batches, full loss with OHEM, Adam) with every wasm kernel wrapped in a
 * timer. A kernel's time is inclusive of the kernels it runs itself (our gradient kernels are
 * built of others), attributed to the outermost one; the phase says where it ran (input =
 * host-to-tensor copies, forward, backward, adam). "js" rows are the time of a phase outside
 * any kernel (tfjs's bookkeeping, OHEM's sort and the loss's host arrays). Median step over
 * timed steps, in CPU time unless `--wall`. Prints a Markdown table per net.
 *
 * Prints the groups per net; `--kernels` adds every kernel over 0.5%.
 *
 * Run: `deno run -A bench/train_profile.ts [pnet|rnet|onet ...] [--steps N] [--tfjs-grads] [--wall]
 * [--kernels]`
 * (`--tfjs-grads`: without our training kernels, i.e. tfjs's gradient kernels plus the three
 * composed fixes of wasm_grad_kernels.ts, as before issue 16).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initWeights, makeAdam, TASK_WEIGHTS, toVariables } from "../train.ts";
import { mtcnnLossOp } from "../lib/train/loss_op.ts";
import { useBackend } from "../mod.ts";
import { NET_SPECS, type NetName } from "../weights.ts";
import process from "node:process";
import { forwardHeads } from "../pipelines/train/train_step.ts";
import { registerWasmGradKernels } from "../pipelines/train/wasm_grad_kernels.ts";
import { setWasmTrainKernels } from "../pipelines/train/wasm_train_kernels.ts";
import { BATCH, batchOf } from "./train_batch.ts";

/**
 * The clock: this process's CPU time (user + system, all threads) by default, so that other
 * jobs on a shared machine do not count; `--wall` for wall-clock time.
 */
const now = Deno.args.includes("--wall") ? () => performance.now() : () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

type Phase = "input" | "forward" | "backward" | "adam" | "read";
let phase: Phase = "input";
const self = new Map<string, number>();
const add = (k: string, ms: number) => self.set(k, (self.get(k) ?? 0) + ms);
let depth = 0;

const wrapKernels = () => {
  for (const k of tf.getKernelsForBackend("wasm")) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, "wasm");
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        if (depth > 0) return inner(args);
        depth++;
        const t0 = now();
        try {
          return inner(args);
        } finally {
          depth--;
          add(`${phase}\t${k.kernelName}`, now() - t0);
        }
      },
    });
  }
};

const profileStep = <N extends NetName>(net: N, steps: number): Map<string, number> => {
  const vars = toVariables(initWeights(net, 1));
  const names = NET_SPECS[net].map((p) => p.name);
  const all = vars as unknown as Record<string, tf.Variable>;
  const list = names.map((n) => all[n]);
  const adam = makeAdam(Object.fromEntries(names.map((n) => [n, all[n]])));
  const b = batchOf(net);
  const s = b.images.length / b.size / 3;
  const side = Math.round(Math.sqrt(s));
  const runs: Map<string, number>[] = [];
  for (let i = 0; i < steps + 2; i++) {
    self.clear();
    const marks: [Phase, number][] = [];
    const mark = (p: Phase) => {
      phase = p;
      marks.push([p, now()]);
    };
    mark("input");
    tf.tidy(() => {
      const x = tf.tensor4d(b.images, [b.size, side, side, 3]);
      const targets = {
        labels: b.labels,
        box: tf.tensor2d(b.box, [b.size, 4]),
        landmarks: tf.tensor2d(b.landmarks, [b.size, 10]),
      };
      mark("forward");
      const { value, grads } = tf.variableGrads(() => {
        const loss = mtcnnLossOp({ weights: TASK_WEIGHTS[net] })(
          forwardHeads(net, vars)(x),
          targets,
        );
        mark("backward");
        return loss;
      }, list);
      mark("adam");
      adam.apply(Object.fromEntries(names.map((n, j) => [n, grads[list[j].name]])), 1e-4);
      mark("read");
      value.dataSync();
    });
    marks.push(["read", now()]);
    const r = new Map(self);
    const kernelMs = new Map<Phase, number>();
    for (const [k, v] of self) {
      const p = k.split("\t")[0] as Phase;
      kernelMs.set(p, (kernelMs.get(p) ?? 0) + v);
    }
    let total = 0;
    for (let j = 0; j + 1 < marks.length; j++) {
      const [p, t] = marks[j];
      const ms = marks[j + 1][1] - t;
      total += ms;
      r.set(`${p}\tjs`, (r.get(`${p}\tjs`) ?? 0) + ms - (kernelMs.get(p) ?? 0));
    }
    r.set("total", total);
    if (i >= 2) runs.push(r);
  }
  adam.dispose();
  for (const v of list) v.dispose();
  runs.sort((a, c) => (a.get("total") ?? 0) - (c.get("total") ?? 0));
  return runs[runs.length >> 1];
};

const args = Deno.args.filter((a) => !a.startsWith("--"));
const stepsAt = Deno.args.indexOf("--steps");
const steps = stepsAt >= 0 ? Number(Deno.args[stepsAt + 1]) : 5;
const nets = (args.filter((a) => a in BATCH) as NetName[]).length
  ? args.filter((a) => a in BATCH) as NetName[]
  : (["pnet", "rnet", "onet"] as NetName[]);
const r = await useBackend("wasm");
if (r._tag === "Left") throw new Error(r.left.message);
registerWasmGradKernels();
if (Deno.args.includes("--tfjs-grads")) setWasmTrainKernels(false);
wrapKernels();
/** The groups: where a kernel's time counts in the summary. */
const groupOf = (phase: string, kernel: string): string => {
  if (phase === "input") return "host-to-tensor copies";
  if (phase === "adam") return "Adam update";
  if (kernel === "js") return "JS outside kernels (OHEM sort, loss masks, tfjs bookkeeping)";
  if (phase === "forward") {
    if (kernel === "Conv2D" || kernel === "FusedConv2D") return "forward convolutions";
    if (kernel === "MtcnnConvBiasPrelu") return "forward convolution + bias + PReLU (one op)";
    if (kernel === "Add" || kernel === "Prelu") return "forward bias + PReLU";
    if (kernel === "MaxPool") return "forward max pool";
    if (kernel === "BatchMatMul" || kernel === "_FusedMatMul") return "dense layers";
    return "other kernels (softmax, loss, copies)";
  }
  if (kernel === "Conv2DBackpropFilter") return "Conv2DBackpropFilter";
  if (kernel === "Conv2DBackpropInput") return "Conv2DBackpropInput";
  if (kernel === "MaxPoolGrad") return "max-pool gradient";
  if (kernel === "BatchMatMul") return "dense layers";
  if (kernel === "Sum") return "bias and alpha gradients (sums)";
  if (
    ["MtcnnPreluGrad", "MtcnnBiasPreluGrad", "Select", "Greater", "Multiply", "ZerosLike"].includes(
      kernel,
    )
  ) {
    return "PReLU gradient (and elementwise)";
  }
  return "other kernels (softmax, loss, copies)";
};

for (const net of nets) {
  const m = profileStep(net, steps);
  const total = m.get("total") ?? 1;
  const clock = Deno.args.includes("--wall") ? "wall" : "CPU";
  console.log(
    `\n${net}, batch ${BATCH[net]}: ${total.toFixed(1)} ms ${clock} per step (median of ${steps})`,
  );
  const groups = new Map<string, number>();
  for (const [k, v] of m) {
    if (k === "total") continue;
    const [p, name] = k.split("\t");
    groups.set(groupOf(p, name), (groups.get(groupOf(p, name)) ?? 0) + v);
  }
  console.log("| part of the step | ms | share |\n|---|---|---|");
  for (const [g, v] of [...groups].sort((a, c) => c[1] - a[1])) {
    console.log(`| ${g} | ${v.toFixed(1)} | ${(100 * v / total).toFixed(1)}% |`);
  }
  if (!Deno.args.includes("--kernels")) continue;
  console.log("\n| phase | kernel | ms | share |\n|---|---|---|---|");
  const rows = [...m].filter(([k]) => k !== "total").sort((a, c) => c[1] - a[1]);
  for (const [k, v] of rows) {
    if (v < total * 0.005) continue; // under 0.5%
    const [p, name] = k.split("\t");
    console.log(`| ${p} | ${name} | ${v.toFixed(1)} | ${(100 * v / total).toFixed(1)}% |`);
  }
}
