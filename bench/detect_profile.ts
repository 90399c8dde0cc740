/**
 * Where one-thread detection's time goes outside the convolutions: the default cascade (as
 * bench/detect_stages.ts runs it) on a directory of images, with every wasm kernel wrapped in a
 * CPU timer (as bench/train_profile.ts does for training), the backend's uploads (`write`) and
 * readbacks (`read` / `readSync`) timed too, and the JS sections the stages call (level pixels,
 * crop cutting, NMS) re-run on the same inputs with a timer. What is left of a stage's time is
 * JS glue and tfjs's bookkeeping (tensor creation, tidy, kernel dispatch). CPU ms per image
 * (process CPU time, so other jobs on the machine do not count), medians over the rounds; the
 * timers' own cost lands in the glue. Prints the load and the tensor count before and after.
 *
 *   deno run -A bench/detect_profile.ts [DIR] [--rounds 3] [--warmup 10] [--kernels]
 *     [--tfjs-pool] [--no-pieces] [--js-area]
 *
 * `--kernels` adds a row per kernel name; `--tfjs-pool` turns our max-pool kernel off (tfjs-wasm's
 * `MaxPool` runs), to compare the two in one run; `--no-pieces` runs each convolution + max pool pair
 * as two ops, as before lib/kernels/wasm_conv_pool.ts (the pools then have their own row);
 * `--js-area` our area-resampling kernel (lib/kernels/wasm_area.ts: level pixels and crop cutting
 * in JS then). Level pixels and crop cutting are re-run as the stages run them, into the net's
 * input tensor (then disposed); the level pixels after the table's heap copy is dropped, so that
 * they pay for the copy again, as the stage does once per image.
 *
 * @module
 */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { type RgbImage, useBackend } from "../mod.ts";
import { loadImage } from "../stages.ts";
import { defaultStages } from "./_default_stages.ts";
import { cropTensor } from "../pipelines/nets/crop_pixels.ts";
import { resampledTensor } from "../pipelines/nets/heap_tensor.ts";
import { nms } from "../lib/nms.ts";
import type { CropBatch, LevelImage } from "../pipelines/state.ts";
import type { SummedAreaTable } from "../lib/area_resample.ts";
import { setWasmMaxPool } from "../lib/kernels/wasm_pool.ts";
import { CONV_STACK_KERNEL } from "../lib/nets/conv_pool.ts";
import { releaseAreaTable, setWasmAreaResample } from "../lib/kernels/wasm_area.ts";
import type { WasmBackendLike } from "../lib/kernels/instance.ts";
import { cpuMs, flagValue, imagesDir } from "./_args.ts";

const dir = imagesDir();
const rounds = Number(flagValue("--rounds") ?? 3);
const warmup = Number(flagValue("--warmup") ?? 10);

const b = await useBackend("wasm");
if (b._tag === "Left") throw new Error(b.left.message);
if (Deno.args.includes("--tfjs-pool")) setWasmMaxPool(false);
// Without the kernel the nets run the convolution and the pool as two ops (lib/nets/conv_pool.ts).
if (Deno.args.includes("--no-pieces")) tf.unregisterKernel(CONV_STACK_KERNEL, "wasm");
const jsArea = Deno.args.includes("--js-area");
if (jsArea) setWasmAreaResample(false);
const areaBy = jsArea ? "(JS)" : "(wasm)";

/** Time per "stage\tpart"; `stage` is set by the loop below. */
const sums = new Map<string, number>();
const add = (k: string, ms: number) => sums.set(k, (sums.get(k) ?? 0) + ms);
let stage = "";
let depth = 0;

/** Wraps `f` so that its CPU time (outermost call only) adds to `stage\tname`. */
const timed = <A extends unknown[], R>(name: string, f: (...a: A) => R) => (...a: A): R => {
  if (depth > 0) return f(...a);
  depth++;
  const t0 = cpuMs();
  try {
    return f(...a);
  } finally {
    depth--;
    add(`${stage}\t${name}`, cpuMs() - t0);
  }
};
for (const k of tf.getKernelsForBackend("wasm")) {
  tf.unregisterKernel(k.kernelName, "wasm");
  tf.registerKernel({ ...k, kernelFunc: timed(k.kernelName, k.kernelFunc) });
}
const backend = tf.backend() as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const m of ["write", "read", "readSync"]) {
  const f = backend[m].bind(backend);
  backend[m] = timed(m === "write" ? "upload" : "readback", f);
}

const { stages: STAGES, dispose } = await defaultStages();

type Cands = { count: number; boxes: Float64Array; scores: Float64Array };
/** Re-runs the JS sections a stage calls on its input, timed (what the stage spent on them). */
const sections = (name: string, state: unknown) => {
  const s = state as { sat: SummedAreaTable; levels?: LevelImage[]; crops?: CropBatch };
  if (name === "pnet" && s.levels) {
    releaseAreaTable(tf.backend() as unknown as WasmBackendLike);
    const t0 = cpuMs();
    const whole = [0, 0, s.sat.width, s.sat.height];
    for (const l of s.levels) {
      if (!l.data) resampledTensor(s.sat, whole, 1, l.width, l.height).dispose();
    }
    add(`pnet\tlevel pixels ${areaBy}`, cpuMs() - t0);
  }
  if ((name === "rnet" || name === "onet") && s.crops && !s.crops.data) {
    const t0 = cpuMs();
    cropTensor(s.crops).dispose();
    add(`${name}\tcrop cutting ${areaBy}`, cpuMs() - t0);
  }
};
/** NMS as the next stage ran it, re-run on the candidates it saw: an upper bound (all crops). */
const nmsOf = (name: string, state: unknown) => {
  const c = (state as { candidates?: Cands }).candidates;
  if (!c || (name !== "rnet" && name !== "onet")) return;
  const t0 = cpuMs();
  nms(c.boxes, c.scores, c.count, 0.7, name === "onet" ? "min" : "union");
  add(`${name}\tNMS, upper bound (JS)`, cpuMs() - t0);
};

const candidatesOf = (state: unknown) => (state as { candidates?: Cands }).candidates;
const detect = async (img: RgbImage) => {
  let state: unknown = img;
  for (const [name, st] of STAGES) {
    stage = name;
    const t = cpuMs();
    const r = await st(state);
    add(`${name}\ttotal`, cpuMs() - t);
    if (r._tag === "Left") throw new Error(r.left.message);
    sections(name, state);
    nmsOf(name, state);
    state = r.right;
    if (candidatesOf(state)?.count === 0) break;
  }
};

const images: RgbImage[] = [];
const files = [...Deno.readDirSync(dir)].filter((e) => /\.(jpe?g|png)$/i.test(e.name))
  .map((e) => join(dir, e.name)).sort();
for (const f of files) {
  const img = await loadImage(f);
  if (img._tag === "Right") images.push(img.right);
}
for (const img of images.slice(0, warmup)) await detect(img);
const before = tf.memory().numTensors;
const load0 = Deno.loadavg();
const perRound = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  sums.clear();
  for (const img of images) await detect(img);
  for (const [k, v] of sums) perRound.set(k, [...(perRound.get(k) ?? []), v / images.length]);
}
const after = tf.memory().numTensors;
dispose();

const median = (xs: number[]) => [...xs].sort((a, c) => a - c)[xs.length >> 1];
const m = new Map([...perRound].map(([k, v]) => [k, median(v)]));
const conv = new Set(["FusedConv2D", "Conv2D"]);
/** The rows of the table: a kernel's group. */
const groupOf = (part: string): string => {
  if (conv.has(part)) return "convolutions";
  if (part === "MaxPool") return "max pool";
  if (part === CONV_STACK_KERNEL) return "convolutions + max pools (in pieces)";
  if (part === "_FusedMatMul" || part === "BatchMatMul") return "dense layers";
  if (part === "Softmax") return "softmax";
  if (["Transpose", "Reshape", "Identity", "Cast"].includes(part)) return "transposes, reshapes";
  if (part === "upload" || part === "readback" || part.endsWith("(JS)")) return part;
  if (part.endsWith("(wasm)")) return part;
  return `other kernels`;
};
const cols = STAGES.map(([s]) => s);
const rows = new Map<string, Map<string, number>>();
const kernelRows = new Map<string, Map<string, number>>();
for (const [k, v] of m) {
  const [s, part] = k.split("\t");
  if (part === "total") continue;
  const g = groupOf(part);
  if (!rows.has(g)) rows.set(g, new Map());
  rows.get(g)!.set(s, (rows.get(g)!.get(s) ?? 0) + v);
  if (!kernelRows.has(part)) kernelRows.set(part, new Map());
  kernelRows.get(part)!.set(s, v);
}
// Glue: a stage's total less every timed part (the NMS bound overlaps the glue, so not it).
const glue = new Map<string, number>();
for (const s of cols) {
  let rest = m.get(`${s}\ttotal`) ?? 0;
  for (const [g, byStage] of rows) if (!g.startsWith("NMS")) rest -= byStage.get(s) ?? 0;
  glue.set(s, rest);
}
rows.set("JS glue + tfjs bookkeeping (rest)", glue);
rows.set("stage total", new Map(cols.map((s) => [s, m.get(`${s}\ttotal`) ?? 0])));

const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" ");
const pool = (Deno.args.includes("--tfjs-pool") ? "tfjs-wasm's MaxPool" : "our MaxPool") +
  (jsArea ? ", area resampling in JS" : ", our area resampling");
console.log(`load average ${fmt(load0)} -> ${fmt(Deno.loadavg())}`);
console.log(
  `${images.length} images, ${rounds} rounds (medians), CPU ms per image, ${pool}; ` +
    `tensors ${before} -> ${after}`,
);
const table = (r: Map<string, Map<string, number>>) => {
  console.log(`| part | ${cols.join(" | ")} | all |`);
  console.log(`|---|${cols.map(() => "---:").join("|")}|---:|`);
  for (const [g, byStage] of r) {
    const cells = cols.map((s) => byStage.get(s) ?? 0);
    const all = cells.reduce((a, c) => a + c, 0);
    console.log(`| ${g} | ${cells.map((c) => c.toFixed(2)).join(" | ")} | ${all.toFixed(2)} |`);
  }
};
table(rows);
if (Deno.args.includes("--kernels")) {
  console.log("");
  table(kernelRows);
}
