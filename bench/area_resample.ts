/**
 * Pixel cutting of one-thread detection, JS against our wasm kernel (lib/kernels/wasm_area.ts) in
 * one run: the default cascade runs once over a directory of images (416x416 `wider_val_416` by
 * default) to collect what its stages cut (PNet's levels, RNet's 24 and ONet's 48 crops), then
 * every round cuts all of it again into the nets' input tensors (then disposed) with the kernel
 * off, then on (the heap copy of each image's table made again per image, as detection does), and
 * builds the summed-area tables. CPU ms per image (process CPU time), medians over the rounds;
 * prints the load average.
 *
 *   deno run -A bench/area_resample.ts [DIR] [--rounds 7]
 *
 * @module
 */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { type RgbImage, useBackend } from "../mod.ts";
import { loadImage } from "../stages.ts";
import { defaultStages } from "./_default_stages.ts";
import { type SummedAreaTable, summedAreaTable } from "../lib/area_resample.ts";
import type { WasmBackendLike } from "../lib/kernels/instance.ts";
import { releaseAreaTable, setWasmAreaResample } from "../lib/kernels/wasm_area.ts";
import { cropTensor } from "../pipelines/nets/crop_pixels.ts";
import { resampledTensor } from "../pipelines/nets/heap_tensor.ts";
import type { CropBatch, LevelImage } from "../pipelines/state.ts";
import { cpuMs, flagValue, imagesDir } from "./_args.ts";

const dir = imagesDir();
const rounds = Number(flagValue("--rounds") ?? 7);

const b = await useBackend("wasm");
if (b._tag === "Left") throw new Error(b.left.message);
const backend = tf.backend() as unknown as WasmBackendLike;
const { stages, dispose } = await defaultStages();

interface Cuts {
  readonly image: RgbImage;
  readonly sat: SummedAreaTable;
  readonly levels: LevelImage[];
  readonly crops: CropBatch[];
}
const cuts: Cuts[] = [];
const files = [...Deno.readDirSync(dir)].filter((e) => /\.(jpe?g|png)$/i.test(e.name))
  .map((e) => join(dir, e.name)).sort();
for (const f of files) {
  const img = await loadImage(f);
  if (img._tag === "Left") continue;
  let state: unknown = img.right;
  const c: Cuts = { image: img.right, sat: summedAreaTable(img.right), levels: [], crops: [] };
  for (const [, st] of stages) {
    const s = state as { sat?: SummedAreaTable; levels?: LevelImage[]; crops?: CropBatch };
    if (s.levels) c.levels.push(...s.levels.filter((l) => !l.data));
    if (s.crops && !s.crops.data && s.crops.count > 0) c.crops.push(s.crops);
    const r = await st(state);
    if (r._tag === "Left") throw new Error(r.left.message);
    state = r.right;
  }
  // The crops were cut from the stages' own table: the same sums as ours.
  cuts.push({ ...c, crops: c.crops.map((k) => ({ ...k, sat: c.sat })) });
}
dispose();

const cutAll = (wasm: boolean) => {
  setWasmAreaResample(wasm);
  let levels = 0, crops = 0;
  for (const c of cuts) {
    releaseAreaTable(backend);
    const t0 = cpuMs();
    const whole = [0, 0, c.sat.width, c.sat.height];
    for (const l of c.levels) resampledTensor(c.sat, whole, 1, l.width, l.height).dispose();
    const t1 = cpuMs();
    for (const k of c.crops) cropTensor(k).dispose();
    levels += t1 - t0;
    crops += cpuMs() - t1;
  }
  return [levels / cuts.length, crops / cuts.length];
};
const tables = () => {
  const t0 = cpuMs();
  for (const c of cuts) summedAreaTable(c.image);
  return (cpuMs() - t0) / cuts.length;
};

const before = tf.memory().numTensors;
const load0 = Deno.loadavg();
cutAll(false), cutAll(true); // warm-up
const got: Record<string, number[]> = {};
const put = (k: string, v: number) => (got[k] ??= []).push(v);
for (let r = 0; r < rounds; r++) {
  const [jl, jc] = cutAll(false);
  const [wl, wc] = cutAll(true);
  put("level pixels, JS", jl), put("level pixels, wasm", wl);
  put("crop cutting, JS", jc), put("crop cutting, wasm", wc);
  put("summed-area table (JS)", tables());
}
releaseAreaTable(backend);
setWasmAreaResample(true);
const median = (xs: number[]) => [...xs].sort((a, c) => a - c)[xs.length >> 1];
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" ");
console.log(`load average ${fmt(load0)} -> ${fmt(Deno.loadavg())}`);
console.log(
  `${cuts.length} images, ${rounds} rounds (medians), CPU ms per image; ` +
    `tensors ${before} -> ${tf.memory().numTensors}`,
);
for (const [k, v] of Object.entries(got)) console.log(`| ${k} | ${median(v).toFixed(3)} |`);
