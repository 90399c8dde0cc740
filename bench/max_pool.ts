/**
 * Our wasm max pool against tfjs-wasm's on MTCNN's pools, by turns in one run: CPU ms per call
 * (median of 15 rounds of 20 calls), for the shapes of one 416x416 image's detection (about 180
 * RNet crops, 15 ONet crops; PNet's largest level). Prints the load average.
 *
 *   deno run -A bench/max_pool.ts
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../mod.ts";
import { setWasmMaxPool } from "../lib/kernels/wasm_pool.ts";
import { cpuMs } from "./_args.ts";

const r = await useBackend("wasm");
if (r._tag === "Left") throw new Error(r.left.message);
const CASES: [string, [number, number, number, number], number, number, "same" | "valid"][] = [
  ["pnet pool1", [1, 248, 248, 10], 2, 2, "same"],
  ["rnet pool1", [180, 22, 22, 28], 3, 2, "same"],
  ["rnet pool2", [180, 9, 9, 48], 3, 2, "valid"],
  ["onet pool1", [15, 46, 46, 32], 3, 2, "same"],
  ["onet pool2", [15, 21, 21, 64], 3, 2, "valid"],
  ["onet pool3", [15, 8, 8, 64], 2, 2, "same"],
];
const load0 = Deno.loadavg();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const rows: string[] = [];
for (const [name, shape, k, s, pad] of CASES) {
  const x = tf.randomNormal(shape, 0, 1, "float32", 1) as tf.Tensor4D;
  const times: Record<string, number[]> = { ours: [], tfjs: [] };
  for (let round = 0; round < 15; round++) {
    for (const ours of [true, false]) {
      setWasmMaxPool(ours);
      const t = cpuMs();
      for (let i = 0; i < 20; i++) tf.maxPool(x, k, s, pad).dispose();
      times[ours ? "ours" : "tfjs"].push((cpuMs() - t) / 20);
    }
  }
  setWasmMaxPool(true);
  x.dispose();
  const [a, b] = [median(times.ours), median(times.tfjs)];
  rows.push(
    `| ${name} | ${shape.join("x")} | ${k}/${s} ${pad} | ${b.toFixed(3)} | ${a.toFixed(3)} |`,
  );
}
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" ");
console.log(`load average ${fmt(load0)} -> ${fmt(Deno.loadavg())}`);
console.log(
  "| pool | input | window/stride | tfjs-wasm CPU ms | ours CPU ms |\n|---|---|---|---:|---:|",
);
for (const row of rows) console.log(row);
