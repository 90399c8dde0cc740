/**
 * Detection speed on `../shared/data/bench/*.jpg`: for each mode and image, medians over several
 * runs after a warm-up of decode time, detection time (decode excluded) and the split of the
 * detection into the summed-area table ("pyramid"; the levels' pixels are computed inside PNet),
 * PNet, RNet and ONet (each with its crops), and the rest (NMS, building the results); the last
 * column is the detection time over facenet-pytorch's (2 threads) measured on the same machine
 * kind.
 *
 *   deno task bench [--modes workers,wasm,cpu] [--runs N]
 *
 * Modes: `workers` = wasm backend on 2 worker threads (`createDetector({ workers: 2 })`, the CLI's
 * default), `wasm` and `cpu` = one thread (`createDetector`).
 */
import { basename } from "node:path";
import { createDetector, type Detector, useBackend } from "../mod.ts";
import { loadImage } from "../stages.ts";
import { loadDefaultWeights } from "../weights.ts";
import { sharedData } from "../tests/_shared.ts";

const arg = (name: string, dflt: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : dflt;
};
const modes = arg("modes", "workers,wasm,cpu").split(",");
const runs = Number(arg("runs", "21"));
/** Detections per image before the timed runs: the JIT and the wasm tier-up settle. */
const WARMUP = Number(arg("warmup", "3"));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** facenet-pytorch MTCNN, PyTorch CPU, 2 threads, ms (../shared/README.md). */
const FACENET_2T: Record<string, number> = {
  "astronaut_512x512.jpg": 47,
  "group_640x480.jpg": 115,
  "group_1280x720.jpg": 230,
  "group_1920x1080.jpg": 332,
};
const images = Object.keys(FACENET_2T).map((f) => sharedData(`bench/${f}`));

const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error(w.left.message);
console.log(
  "| image | mode | decode ms | detect ms | pyramid | PNet | RNet | ONet | rest | faces | vs facenet-pytorch |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const mode of modes) {
  const backend = mode === "cpu" ? "cpu" : "wasm";
  const b = await useBackend(backend);
  if (b._tag === "Left") {
    console.log(`| (all) | ${mode} | unavailable: ${b.left.message} |`);
    continue;
  }
  const d = mode === "workers"
    ? await createDetector({ weights: w.right, workers: 2, backend })
    : await createDetector({ weights: w.right });
  if (d._tag === "Left") throw new Error(d.left.message);
  const detector: Detector = d.right;
  const n = mode === "cpu" ? Math.min(runs, 3) : runs;
  for (const path of images) {
    const bytes = await Deno.readFile(path);
    const rows: Record<string, number[]> = {
      decode: [],
      detect: [],
      pyr: [],
      p: [],
      r: [],
      o: [],
      rest: [],
    };
    let faces = 0;
    for (let i = -WARMUP + 1; i <= n; i++) {
      const t0 = performance.now();
      const img = await loadImage(bytes);
      const t1 = performance.now();
      if (img._tag === "Left") throw new Error(img.left.message);
      const r = await detector.detect(img.right);
      const t2 = performance.now();
      if (r._tag === "Left") throw new Error(r.left.message);
      if (i <= 0) continue; // warm-up
      const t = r.right.timings;
      rows.decode.push(t1 - t0);
      rows.detect.push(t2 - t1);
      rows.pyr.push((t.prepare ?? 0) + (t.pyramid ?? 0));
      rows.p.push(t.pnet ?? 0);
      rows.r.push((t.crop24 ?? 0) + (t.rnet ?? 0));
      rows.o.push((t.crop48 ?? 0) + (t.onet ?? 0));
      const parts = ["pyr", "p", "r", "o"].reduce((n, k) => n + rows[k][rows[k].length - 1], 0);
      rows.rest.push(t2 - t1 - parts);
      faces = r.right.faces.length;
    }
    if (Deno.env.get("BENCH_DEBUG")) console.log(rows.detect.map((x) => x.toFixed(0)).join(" "));
    const m = (k: string) => median(rows[k]).toFixed(0);
    const ratio = (median(rows.detect) / FACENET_2T[basename(path)]).toFixed(2);
    console.log(
      `| ${basename(path)} | ${mode} | ${m("decode")} | ${m("detect")} | ${m("pyr")} | ${
        m("p")
      } | ${m("r")} | ${m("o")} | ${m("rest")} | ${faces} | ${ratio}x |`,
    );
  }
  detector.dispose();
}
console.log(
  `\n${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, medians of ${runs} runs after a warm-up (cpu: ${
    Math.min(runs, 3)
  }). In workers mode the stage split is wall time on the main thread.`,
);
