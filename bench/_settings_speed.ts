/**
 * Time per image of several detector settings on `../shared/data/wider_val_416/images`
 * (416x416): ms per image (decode excluded), one thread, wasm backend, after one warm-up
 * detection per setting; prints one Markdown row per setting. Shared by `preset_speed.ts` and
 * `rotations_speed.ts`.
 *
 * @module
 */
import { join } from "node:path";
import { createDetector, type DetectOptions, useBackend } from "../mod.ts";
import { loadImage } from "../stages.ts";
import { loadDefaultWeights } from "../weights.ts";
import { sharedData } from "../tests/_shared.ts";

/** Times each named setting on the first `limit` images; `heading` names the first column. */
export const timeSettings = async (
  heading: string,
  settings: readonly (readonly [string, DetectOptions])[],
  limit = 200,
): Promise<void> => {
  const dir = sharedData("wider_val_416/images");
  const files = [...Deno.readDirSync(dir)].map((e) => join(dir, e.name)).sort().slice(0, limit);
  await useBackend("wasm");
  const w = await loadDefaultWeights();
  if (w._tag === "Left") throw new Error(w.left.message);
  const images = [];
  for (const f of files) {
    const img = await loadImage(f);
    if (img._tag === "Right") images.push(img.right);
  }
  console.log(`${images.length} images, load ${Deno.loadavg()[0].toFixed(2)}`);
  console.log(`| ${heading} | ms per image (mean) | median | faces |\n|---|---|---|---|`);
  for (const [name, options] of settings) {
    const d = await createDetector({ weights: w.right, ...options });
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
    console.log(`| ${name} | ${mean.toFixed(1)} | ${median.toFixed(1)} | ${faces} |`);
  }
  console.log(`load after: ${Deno.loadavg()[0].toFixed(2)}`);
};
