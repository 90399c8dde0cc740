/**
 * One-thread detection over a directory of 416x416 images (`wider_val_416` by default): the
 * time of each stage per image (the detector's own `timings`, summed over the images and divided
 * by their count), the process CPU time per image and the faces found, after a warm-up. Decoding
 * is done before and not counted. With `--faces FILE` it writes every face (JSON) so that two
 * builds' faces can be compared.
 *
 *   deno run -A bench/detect_stages.ts [DIR] [--rounds 3] [--warmup 10] [--faces out.json]
 */
import { join } from "node:path";
import process from "node:process";
import { createDetector, type RgbImage, useBackend } from "../mod.ts";
import { loadImage } from "../stages.ts";
import { sharedData } from "../tests/_shared.ts";

const arg = (name: string): string | undefined => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
};
const dir = Deno.args.find((a, i) => !a.startsWith("--") && !Deno.args[i - 1]?.startsWith("--")) ??
  sharedData("wider_val_416/images");
const rounds = Number(arg("--rounds") ?? 3);
const warmup = Number(arg("--warmup") ?? 10);
const facesOut = arg("--faces");

const files = [...Deno.readDirSync(dir)].filter((e) => /\.(jpe?g|png)$/i.test(e.name))
  .map((e) => join(dir, e.name)).sort();
const b = await useBackend("wasm");
if (b._tag === "Left") throw new Error(b.left.message);
const d = await createDetector({});
if (d._tag === "Left") throw new Error(d.left.message);
const detector = d.right;
const images: RgbImage[] = [];
for (const f of files) {
  const img = await loadImage(f);
  if (img._tag === "Right") images.push(img.right);
}
for (const img of images.slice(0, warmup)) await detector.detect(img);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const STAGES = ["pnet", "crop24", "rnet", "crop48", "onet"];
const perRound: Record<string, number[]> = { cpu: [], wall: [] };
let faces: unknown[] = [];
for (let r = 0; r < rounds; r++) {
  const sums: Record<string, number> = {};
  const found: unknown[] = [];
  const c0 = cpuMs(), t0 = performance.now();
  for (const img of images) {
    const res = await detector.detect(img);
    if (res._tag === "Left") throw new Error(res.left.message);
    for (const [k, v] of Object.entries(res.right.timings)) sums[k] = (sums[k] ?? 0) + v;
    found.push(res.right.faces);
  }
  perRound.cpu.push((cpuMs() - c0) / images.length);
  perRound.wall.push((performance.now() - t0) / images.length);
  for (const [k, v] of Object.entries(sums)) (perRound[k] ??= []).push(v / images.length);
  faces = found;
}
detector.dispose();
const n = faces.reduce((s: number, f) => s + (f as unknown[]).length, 0);
console.log(`load average ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
console.log(`${images.length} images, ${rounds} rounds (medians), ms per image, ${n} faces`);
const cols = [...STAGES.filter((s) => perRound[s]), "wall", "cpu"];
console.log(`| ${cols.join(" | ")} |`);
console.log(`|${cols.map(() => "---").join("|")}|`);
console.log(`| ${cols.map((c) => median(perRound[c]).toFixed(2)).join(" | ")} |`);
if (facesOut) await Deno.writeTextFile(facesOut, JSON.stringify(faces));
