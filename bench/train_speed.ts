/**
 * Training speed per network and backend, in samples per second: Adam steps on random
 * batches (the full loss with OHEM), after 2 s of warm-up steps, median over timed runs. Prints a
 * Markdown table with rows `| backend | net | batch | samples/s |` (from the median step), then
 * the sustained rate (all timed samples over all timed time, slow steps such as those with a
 * garbage collection included) in a table of its own. The timed steps last at least 1 s.
 *
 * `--torch` also runs the PyTorch anchor (`../shared/tools/torch_train_speed.py`: the same
 * nets, batch sizes and Adam on the CPU with 2 threads; Debian's python3-torch) in the same run
 * and prints ours / PyTorch per net; without python3-torch it says so and skips. `--runs N`
 * repeats everything N times (ours, then PyTorch) and reports the median of the runs.
 *
 * `--workers N` adds rows `| wasm xN | ... |`: data-parallel steps over N workers
 * (pipelines/train/parallel_train.ts).
 *
 * A second table gives samples per second of this process's CPU time (all threads), which other
 * jobs on a shared machine disturb far less than wall-clock time.
 *
 * Run: `deno run -A bench/train_speed.ts [wasm|cpu ...] [--workers 2] [--torch] [--runs 3]`
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { disposeTensors, initWeights, makeAdam, TASK_WEIGHTS, toVariables } from "../train.ts";
import { useBackend } from "../mod.ts";
import { NET_SPECS, type NetName } from "../weights.ts";
import { startParallelTrainer } from "../pipelines/train/parallel_train.ts";
import { trainStep } from "../pipelines/train/train_step.ts";
import { registerWasmGradKernels } from "../pipelines/train/wasm_grad_kernels.ts";
import { BATCH, batchOf } from "./train_batch.ts";

const NETS = ["pnet", "rnet", "onet"] as const;
/** Warm-up time before the timed steps, ms. */
const WARMUP_MS = 2000;
/** Least time of the timed steps, ms (the mean needs the occasional slow step). */
const TIMED_MS = 1000;

/** Samples/s of one measurement: from the median step and over all timed steps. */
interface Rate {
  readonly median: number;
  readonly mean: number;
}

const measure = async (net: NetName, steps: number, workers = 0): Promise<Rate> => {
  const vars = toVariables(initWeights(net, 1));
  const names = NET_SPECS[net].map((p) => p.name);
  const all = vars as unknown as Record<string, tf.Variable>;
  const adam = makeAdam(Object.fromEntries(names.map((n) => [n, all[n]])));
  const b = batchOf(net);
  const loss = { weights: TASK_WEIGHTS[net] };
  const trainer = workers ? await startParallelTrainer(net, workers, b.size) : undefined;
  const step = () =>
    trainer
      ? trainer.step(vars, names, adam, loss, b, 1e-4)
      : trainStep(net, vars, names, adam, loss, b, 1e-4);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  try {
    // V8 compiles wasm and JavaScript in tiers (each worker its own): a training run is
    // thousands of steps, so we time the steady state: 2 warm-up steps, then more until 2 s
    // have passed (measured: PNet's first 10 steps run 1.3-2x slower than later ones).
    const warmUntil = performance.now() + WARMUP_MS;
    for (let i = 0; i < 2 || performance.now() < warmUntil; i++) await step();
    const timedUntil = performance.now() + TIMED_MS;
    for (let i = 0; i < steps || performance.now() < timedUntil; i++) {
      const t0 = performance.now(), c0 = cpuMs();
      await step();
      times.push(performance.now() - t0);
      cpuTimes.push(cpuMs() - c0);
    }
  } finally {
    trainer?.terminate();
  }
  adam.dispose();
  disposeTensors(vars);
  (perCpu[`${workers ? "w" : tf.getBackend()} ${net}`] ??= []).push(
    b.size / (median(cpuTimes) / 1000),
  );
  const total = times.reduce((a, t) => a + t, 0);
  return {
    median: b.size / (median(times) / 1000),
    mean: (b.size * times.length) / (total / 1000),
  };
};

/** This process's CPU time in ms (all threads). */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const perCpu: Record<string, number[]> = {};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, c) => a - c);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The PyTorch anchor's script beside the project (../shared/tools). */
const TORCH_SCRIPT = fileURLToPath(
  new URL("../../shared/tools/torch_train_speed.py", import.meta.url),
);

/** The Python with torch (Debian's python3-torch lives in /usr/bin/python3), or a reason. */
const torchPython = async (): Promise<{ python: string } | { missing: string }> => {
  try {
    await Deno.stat(TORCH_SCRIPT);
  } catch {
    return { missing: `${TORCH_SCRIPT} is absent` };
  }
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      const r = await new Deno.Command(python, { args: ["-c", "import torch"], stderr: "null" })
        .output();
      if (r.success) return { python };
    } catch {
      // not installed under this name
    }
  }
  return { missing: "python3-torch is not installed (apt-get install python3-torch)" };
};

/** One run of the anchor: samples/s per net. */
const runTorch = async (python: string): Promise<Partial<Record<NetName, number>>> => {
  const r = await new Deno.Command(python, { args: [TORCH_SCRIPT], stderr: "inherit" }).output();
  const out: Partial<Record<NetName, number>> = {};
  for (const line of new TextDecoder().decode(r.stdout).split("\n")) {
    const [net, n] = line.trim().split(/\s+/);
    if ((NETS as readonly string[]).includes(net) && Number.isFinite(Number(n))) {
      out[net as NetName] = Number(n);
    }
  }
  return out;
};

const load = () => Deno.loadavg().map((l) => l.toFixed(2)).join(" ");

const flags = Deno.args.filter((a) => a.startsWith("--"));
const valueOf = (flag: string) => {
  const at = Deno.args.indexOf(flag);
  return at >= 0 ? Math.max(1, Number(Deno.args[at + 1]) || 1) : 0;
};
const runs = Math.max(1, valueOf("--runs"));
const workers = valueOf("--workers");
const backends = Deno.args.filter((a, i) =>
  !a.startsWith("--") && !["--runs", "--workers"].includes(Deno.args[i - 1])
);
const torch = flags.includes("--torch") ? await torchPython() : undefined;
if (torch && "missing" in torch) console.log(`PyTorch anchor skipped: ${torch.missing}`);

const ours: Record<string, number[]> = {};
const oursMean: Record<string, number[]> = {};
const record = (key: string, r: Rate) => {
  (ours[key] ??= []).push(r.median);
  (oursMean[key] ??= []).push(r.mean);
};
const theirs: Record<string, number[]> = {};
const names: Record<string, string> = {};
console.log(`load average at start: ${load()}`);
for (let run = 0; run < runs; run++) {
  for (const be of backends.length ? backends : ["wasm", "cpu"]) {
    const r = await useBackend(be as "wasm" | "cpu");
    if (r._tag === "Left") {
      names[be] = `${be} unavailable: ${r.left.message}`;
      continue;
    }
    names[be] = r.right;
    if (r.right === "wasm") registerWasmGradKernels();
    for (const net of NETS) {
      record(`${be} ${net}`, await measure(net, be === "cpu" ? 3 : 7));
    }
    if (r.right === "wasm" && workers) {
      for (const net of NETS) record(`w ${net}`, await measure(net, 7, workers));
    }
  }
  if (torch && "python" in torch) {
    const t = await runTorch(torch.python);
    for (const net of NETS) if (t[net] !== undefined) (theirs[net] ??= []).push(t[net]!);
  }
}
console.log(`load average at end: ${load()}; median of ${runs} run(s)`);
console.log("| backend | net | batch | samples/s (median step) |\n|---|---|---|---|");
for (const be of backends.length ? backends : ["wasm", "cpu"]) {
  if (!ours[`${be} pnet`]) {
    console.log(`| ${be} | - | - | ${names[be]} |`);
    continue;
  }
  for (const net of NETS) {
    console.log(
      `| ${names[be]} | ${net} | ${BATCH[net]} | ${median(ours[`${be} ${net}`]).toFixed(0)} |`,
    );
  }
}
for (const net of NETS) {
  const w = ours[`w ${net}`];
  if (w) console.log(`| wasm x${workers} | ${net} | ${BATCH[net]} | ${median(w).toFixed(0)} |`);
}
for (const net of NETS) {
  if (theirs[net]) {
    console.log(`| torch | ${net} | ${BATCH[net]} | ${median(theirs[net]).toFixed(0)} |`);
  }
}
if (Object.keys(theirs).length) {
  const be = backends[0] ?? "wasm";
  const wcol = workers ? ` wasm x${workers} / torch |` : "";
  console.log(`\n| net | ${be} / torch |${wcol}\n|---|---|${workers ? "---|" : ""}`);
  for (const net of NETS) {
    const a = ours[`${be} ${net}`], t = theirs[net], w = ours[`w ${net}`];
    if (!a || !t) continue;
    const wr = w ? ` ${(median(w) / median(t)).toFixed(2)}x |` : "";
    console.log(`| ${net} | ${(median(a) / median(t)).toFixed(2)}x |${wr}`);
  }
}
console.log(
  "\nSustained (all timed samples / all timed time, slow steps included; median of runs):",
);
console.log(
  "| backend | net | batch | samples/s (mean) | samples/s (median step) | mean / median |\n" +
    "|---|---|---|---|---|---|",
);
for (const [k, v] of Object.entries(oursMean)) {
  const [be, net] = k.split(" ");
  const name = be === "w" ? `wasm x${workers}` : names[be];
  const mean = median(v), med = median(ours[k]);
  console.log(
    `| ${name} | ${net} | ${BATCH[net as NetName]} | ${mean.toFixed(0)} | ${med.toFixed(0)} | ${
      (mean / med).toFixed(2)
    } |`,
  );
}
console.log(
  "\nCPU time (this process, all threads; less sensitive to other jobs on a shared machine):",
);
console.log("| backend | net | batch | samples per CPU second |\n|---|---|---|---|");
for (const [k, v] of Object.entries(perCpu)) {
  const [be, net] = k.split(" ");
  const name = be === "w" ? `wasm x${workers}` : be;
  console.log(`| ${name} | ${net} | ${BATCH[net as NetName]} | ${median(v).toFixed(0)} |`);
}
