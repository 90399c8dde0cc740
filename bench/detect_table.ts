/**
 * Detection speed on `../shared/data/bench/*.jpg`: for each backend and image, the median over
 * several runs after a warm-up of decode time, detection time (decode excluded) and its split
 * into pyramid (with the summed-area table), PNet, RNet (with its crops), ONet (with its crops).
 *
 *   deno task bench [--backends wasm,cpu] [--runs N]
 */
import { basename } from "node:path";
import { createDetector, loadDefaultWeights, loadImage, useBackend } from "../mod.ts";
import { sharedData } from "../tests/_shared.ts";

const arg = (name: string, dflt: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : dflt;
};
const backends = arg("backends", "wasm,cpu").split(",") as ("wasm" | "cpu")[];
const runs = Number(arg("runs", "7"));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const images = [
  "astronaut_512x512.jpg",
  "group_640x480.jpg",
  "group_1280x720.jpg",
  "group_1920x1080.jpg",
]
  .map((f) => sharedData(`bench/${f}`));

const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error(w.left.message);
console.log(`| image | backend | decode ms | detect ms | pyramid | PNet | RNet | ONet | faces |`);
console.log(`|---|---|---|---|---|---|---|---|---|`);
for (const backend of backends) {
  const b = await useBackend(backend)();
  if (b._tag === "Left") {
    console.log(`| (all) | ${backend} | unavailable: ${b.left.message} |`);
    continue;
  }
  const d = createDetector(w.right);
  if (d._tag === "Left") throw new Error(d.left.message);
  const n = backend === "cpu" ? Math.min(runs, 3) : runs;
  for (const path of images) {
    const bytes = await Deno.readFile(path);
    const rows: Record<string, number[]> = { decode: [], detect: [], pyr: [], p: [], r: [], o: [] };
    let faces = 0;
    for (let i = 0; i <= n; i++) {
      const t0 = performance.now();
      const img = await loadImage(bytes)();
      const t1 = performance.now();
      if (img._tag === "Left") throw new Error(img.left.message);
      const r = await d.right.detect(img.right);
      const t2 = performance.now();
      if (r._tag === "Left") throw new Error(r.left.message);
      if (i === 0) continue; // warm-up
      const t = r.right.timings;
      rows.decode.push(t1 - t0);
      rows.detect.push(t2 - t1);
      rows.pyr.push((t.prepare ?? 0) + (t.pyramid ?? 0));
      rows.p.push(t.pnet ?? 0);
      rows.r.push((t.crop24 ?? 0) + (t.rnet ?? 0));
      rows.o.push((t.crop48 ?? 0) + (t.onet ?? 0));
      faces = r.right.faces.length;
    }
    const m = (k: string) => median(rows[k]).toFixed(0);
    console.log(
      `| ${basename(path)} | ${backend} | ${m("decode")} | ${m("detect")} | ${m("pyr")} | ${
        m("p")
      } | ${m("r")} | ${m("o")} | ${faces} |`,
    );
  }
  d.right.dispose();
}
console.log(
  `\n${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, ${runs} runs after a warm-up (cpu: ${
    Math.min(runs, 3)
  })`,
);
