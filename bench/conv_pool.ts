/**
 * RNet's and ONet's convolution layers (with their max pools) run three ways, by turns in one
 * run: layer by layer as two kernels per pair (our convolution, then our max pool: as before
 * lib/kernels/wasm_conv_pool.ts), each convolution + pool pair in pieces of a few crops, and the
 * whole stack of convolutions in pieces (what the nets run). CPU ms per batch (median of the
 * rounds) for batches as one 416x416 image's detection has them (about 180 RNet crops, 15 ONet
 * crops) and the largest ones (256 and 64). `--chunks` lists piece sizes in KiB (default 256).
 * Prints the load average.
 *
 *   deno run -A bench/conv_pool.ts [--rounds 15] [--chunks 64,256,1024]
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../mod.ts";
import { toTensors } from "../train.ts";
import { loadDefaultWeights } from "../weights.ts";
import { setWasmConvPool } from "../lib/kernels/wasm_conv_pool.ts";
import { type ConvLayer, convStack, pool } from "../lib/nets/conv_pool.ts";
import type { NetTensors } from "../lib/nets/tensors.ts";
import { cpuMs, flagValue } from "./_args.ts";

const rounds = Number(flagValue("--rounds") ?? 15);
const chunks = (flagValue("--chunks") ?? "256").split(",").map(Number);

const r = await useBackend("wasm");
if (r._tag === "Left") throw new Error(r.left.message);
const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error(w.left.message);
const layer = (
  t: NetTensors<"rnet"> | NetTensors<"onet">,
  i: number,
  p?: ReturnType<typeof pool>,
) => {
  const m = t as unknown as Record<string, tf.Tensor>;
  return {
    kernel: m[`conv${i}/kernel`],
    bias: m[`conv${i}/bias`],
    alpha: m[`prelu${i}/alpha`],
    pool: p,
  };
};
const rt = toTensors(w.right.rnet), ot = toTensors(w.right.onet);
const LAYERS: Record<string, ConvLayer[]> = {
  rnet: [layer(rt, 1, pool(3, "same")), layer(rt, 2, pool(3, "valid")), layer(rt, 3)],
  onet: [
    layer(ot, 1, pool(3, "same")),
    layer(ot, 2, pool(3, "valid")),
    layer(ot, 3, pool(2, "same")),
    layer(ot, 4),
  ],
};
const CASES: [string, number, number][] = [
  ["rnet", 180, 24],
  ["rnet", 256, 24],
  ["onet", 15, 48],
  ["onet", 64, 48],
];
type Mode = { name: string; pieces: boolean; stack: boolean; kib: number };
const modes: Mode[] = [
  { name: "two kernels", pieces: false, stack: false, kib: 256 },
  ...chunks.flatMap((kib) => [
    { name: `pairs, ${kib} KiB`, pieces: true, stack: false, kib },
    { name: `stack, ${kib} KiB`, pieces: true, stack: true, kib },
  ]),
];
/** The layers as one stack, or each layer as its own (a pair, or a convolution alone). */
const run = (x: tf.Tensor4D, layers: ConvLayer[], stack: boolean) =>
  tf.tidy(() => stack ? convStack(x, layers) : layers.reduce((h, l) => convStack(h, [l]), x));

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
      setWasmConvPool(mode.pieces, { chunkBytes: mode.kib * 1024 });
      const t = cpuMs();
      for (let i = 0; i < reps; i++) run(x, LAYERS[name], mode.stack).dispose();
      times[m].push((cpuMs() - t) / reps);
    }
  }
  setWasmConvPool(true, { chunkBytes: 256 * 1024 });
  x.dispose();
  rows.push(`| ${name} | ${n} | ${times.map((t) => median(t).toFixed(3)).join(" | ")} |`);
}
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" ");
console.log(`load average ${fmt(load0)} -> ${fmt(Deno.loadavg())}`);
console.log(
  `CPU ms per batch (convolutions and pools), median of ${rounds} rounds; ` +
    `tensors ${before} -> ${tf.memory().numTensors}`,
);
console.log(`| net | batch | ${modes.map((m) => m.name).join(" | ")} |`);
console.log(`|---|---:|${modes.map(() => "---:").join("|")}|`);
for (const row of rows) console.log(row);
