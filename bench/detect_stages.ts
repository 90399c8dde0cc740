/**
 * One-thread detection over a directory of 416x416 images (`wider_val_416` by default), stage by
 * stage (the default cascade: pyramid, propose, crop 24, refine, crop 48, output, as
 * `createDetector({})` runs it): wall and CPU ms of each stage per image, summed over the images
 * and divided by their count, after a warm-up; medians over the rounds. Decoding is done before
 * and not counted. Prints the load average. With `--faces FILE` it writes every image's final
 * boxes and scores (JSON) so that two builds' results can be compared byte for byte.
 *
 *   deno run -A bench/detect_stages.ts [DIR] [--rounds 3] [--warmup 10] [--faces out.json]
 */
import { join } from "node:path";
import { type RgbImage, useBackend } from "../mod.ts";
import { loadImage } from "../stages.ts";
import { defaultStages } from "./_default_stages.ts";
import { cpuMs, flagValue, imagesDir } from "./_args.ts";

const dir = imagesDir();
const rounds = Number(flagValue("--rounds") ?? 3);
const warmup = Number(flagValue("--warmup") ?? 10);
const facesOut = flagValue("--faces");

const files = [...Deno.readDirSync(dir)].filter((e) => /\.(jpe?g|png)$/i.test(e.name))
  .map((e) => join(dir, e.name)).sort();
const b = await useBackend("wasm");
if (b._tag === "Left") throw new Error(b.left.message);
const { stages: STAGES, dispose } = await defaultStages();

const images: RgbImage[] = [];
for (const f of files) {
  const img = await loadImage(f);
  if (img._tag === "Right") images.push(img.right);
}
const sums: Record<string, number> = {};
const candidatesOf = (state: unknown) =>
  (state as {
    candidates?: { count: number; boxes: ArrayLike<number>; scores: ArrayLike<number> };
  }).candidates;
/** Runs the stages on one image, adding each one's wall and CPU ms to `sums`. */
const detect = async (img: RgbImage) => {
  let state: unknown = img;
  for (const [name, stage] of STAGES) {
    const t = performance.now(), c = cpuMs();
    const r = await stage(state);
    sums[`${name} cpu`] = (sums[`${name} cpu`] ?? 0) + cpuMs() - c;
    sums[`${name} wall`] = (sums[`${name} wall`] ?? 0) + performance.now() - t;
    if (r._tag === "Left") throw new Error(r.left.message);
    state = r.right;
    if (candidatesOf(state)?.count === 0) break;
  }
  const c = candidatesOf(state);
  return c ? { boxes: Array.from(c.boxes), scores: Array.from(c.scores) } : null;
};
for (const img of images.slice(0, warmup)) await detect(img);

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const perRound: Record<string, number[]> = {};
let found: unknown[] = [];
const load0 = Deno.loadavg();
for (let r = 0; r < rounds; r++) {
  for (const k of Object.keys(sums)) delete sums[k];
  found = [];
  const c0 = cpuMs(), t0 = performance.now();
  for (const img of images) found.push(await detect(img));
  (perRound["total cpu"] ??= []).push((cpuMs() - c0) / images.length);
  (perRound["total wall"] ??= []).push((performance.now() - t0) / images.length);
  for (const [k, v] of Object.entries(sums)) (perRound[k] ??= []).push(v / images.length);
}
dispose();
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" ");
console.log(`load average ${fmt(load0)} -> ${fmt(Deno.loadavg())}`);
console.log(`${images.length} images, ${rounds} rounds (medians), ms per image`);
const cols = [...STAGES.map(([s]) => s), "total"];
console.log(`| | ${cols.join(" | ")} |`);
console.log(`|---|${cols.map(() => "---").join("|")}|`);
for (const kind of ["wall", "cpu"]) {
  const cells = cols.map((c) => median(perRound[`${c} ${kind}`] ?? [0]).toFixed(2));
  console.log(`| ${kind} | ${cells.join(" | ")} |`);
}
if (facesOut) await Deno.writeTextFile(facesOut, JSON.stringify(found));
