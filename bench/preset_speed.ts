/**
 * Speed of the presets on `../shared/data/wider_val_416/images` (200 images, 416x416): ms per
 * image (decode excluded), one thread, wasm backend, after a warm-up.
 *
 *   deno run -A bench/preset_speed.ts
 */
import { join } from "node:path";
import { createDetector, type Preset, useBackend } from "../mod.ts";
import { loadImage } from "../stages.ts";
import { loadDefaultWeights } from "../weights.ts";
import { sharedData } from "../tests/_shared.ts";

const dir = sharedData("wider_val_416/images");
const files = [...Deno.readDirSync(dir)].map((e) => join(dir, e.name)).sort();
await useBackend("wasm");
const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error(w.left.message);
const images = [];
for (const f of files) {
  const img = await loadImage(f);
  if (img._tag === "Right") images.push(img.right);
}
console.log("| preset | ms per image (mean) | median | faces |\n|---|---|---|---|");
for (const preset of ["default", "accurate"] as Preset[]) {
  const d = await createDetector({ weights: w.right, preset });
  if (d._tag === "Left") throw new Error(d.left.message);
  await d.right.detect(images[0]);
  const times: number[] = [];
  let faces = 0;
  for (const img of images) {
    const t = performance.now();
    const r = await d.right.detect(img);
    times.push(performance.now() - t);
    if (r._tag === "Right") faces += r.right.faces.length;
  }
  d.right.dispose();
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const median = [...times].sort((a, b) => a - b)[times.length >> 1];
  console.log(`| ${preset} | ${mean.toFixed(1)} | ${median.toFixed(1)} | ${faces} |`);
}
