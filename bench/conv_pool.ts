/**
 * RNet's and ONet's forward passes with the convolution + max pool pairs run in pieces of a few
 * crops (lib/kernels/wasm_conv_pool.ts) against the two kernels one after the other, by turns in
 * one run: CPU ms per batch (median of the rounds), for batches as one 416x416 image's detection
 * has them (about 180 RNet crops, 15 ONet crops) and the largest ones (256 and 64). `--chunks`
 * lists piece sizes in KiB to compare (default 256). Prints the load average.
 *
 *   deno run -A bench/conv_pool.ts [--rounds 15] [--chunks 64,256,1024]
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { useBackend } from "../mod.ts";
import { onet, rnet, toTensors } from "../train.ts";
import { loadDefaultWeights } from "../weights.ts";
import { setWasmConvPool } from "../lib/kernels/wasm_conv_pool.ts";

const arg = (name: string): string | undefined => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
};
const rounds = Number(arg("--rounds") ?? 15);
const chunks = (arg("--chunks") ?? "256").split(",").map(Number);

const r = await useBackend("wasm");
if (r._tag === "Left") throw new Error(r.left.message);
const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error(w.left.message);
const nets = { rnet: rnet(toTensors(w.right.rnet)), onet: onet(toTensors(w.right.onet)) };
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const CASES: [keyof typeof nets, number, number][] = [
  ["rnet", 180, 24],
  ["rnet", 256, 24],
  ["onet", 15, 48],
  ["onet", 64, 48],
];
const modes = ["two kernels", ...chunks.map((c) => `pieces of ${c} KiB`)];
const load0 = Deno.loadavg();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const before = tf.memory().numTensors;
const rows: string[] = [];
for (const [name, n, side] of CASES) {
  const x = tf.randomNormal([n, side, side, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const times = modes.map(() => [] as number[]);
  const reps = Math.max(1, Math.round(2000 / (n * side * side / 24 / 24)));
  for (let round = 0; round < rounds; round++) {
    for (const [m, mode] of modes.entries()) {
      setWasmConvPool(m > 0, { chunkBytes: (chunks[m - 1] ?? 256) * 1024 });
      const t = cpuMs();
      for (let i = 0; i < reps; i++) tf.dispose(Object.values(nets[name](x)));
      times[m].push((cpuMs() - t) / reps);
      void mode;
    }
  }
  setWasmConvPool(true, { chunkBytes: 256 * 1024 });
  x.dispose();
  rows.push(`| ${name} | ${n} | ${times.map((t) => median(t).toFixed(3)).join(" | ")} |`);
}
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" ");
console.log(`load average ${fmt(load0)} -> ${fmt(Deno.loadavg())}`);
console.log(
  `CPU ms per forward pass, median of ${rounds} rounds; tensors ${before} -> ${tf.memory().numTensors}`,
);
console.log(`| net | batch | ${modes.join(" | ")} |`);
console.log(`|---|---:|${modes.map(() => "---:").join("|")}|`);
for (const row of rows) console.log(row);
