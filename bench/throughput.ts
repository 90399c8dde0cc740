/**
 * Throughput on a directory of images: images per second, decode and detection either one
 * after the other or overlapped (the next image decoded while the workers detect this one, as
 * `deno task detect` did before image-parallel detection), and `detectEach` (several images in
 * flight, each whole on a worker, as `deno task detect` does now), with peak RSS and the load.
 *
 *   deno run -A bench/throughput.ts [DIR] [--workers N]
 */
import { join } from "node:path";
import { createDetector, type Detector, useBackend } from "../mod.ts";
import { loadImage, startImageLoader } from "../stages.ts";
import { loadDefaultWeights } from "../weights.ts";
import { sharedData } from "../tests/_shared.ts";
import { peakRssMb } from "./_rss.ts";

const dirArg = Deno.args.find((a, i) => !a.startsWith("--") && Deno.args[i - 1] !== "--workers");
const dir = dirArg ?? sharedData("wider_val_416/images");
const wi = Deno.args.indexOf("--workers");
const workers = wi >= 0 ? Number(Deno.args[wi + 1]) : 2;
const files = [...Deno.readDirSync(dir)].filter((e) => /\.(jpe?g|png)$/i.test(e.name))
  .map((e) => join(dir, e.name)).sort();

await useBackend("wasm");
const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error(w.left.message);
const d = workers > 0
  ? await createDetector({ weights: w.right, workers })
  : await createDetector({ weights: w.right });
if (d._tag === "Left") throw new Error(d.left.message);
const detector: Detector = d.right;

const sequential = async () => {
  let faces = 0;
  for (const f of files) {
    const img = await loadImage(f);
    if (img._tag === "Left") continue;
    const r = await detector.detect(img.right);
    if (r._tag === "Right") faces += r.right.faces.length;
  }
  return faces;
};
const overlapped = async () => {
  let faces = 0;
  let next = loadImage(files[0]);
  for (let i = 0; i < files.length; i++) {
    const img = await next;
    if (i + 1 < files.length) next = loadImage(files[i + 1]);
    if (img._tag === "Left") continue;
    const r = await detector.detect(img.right);
    if (r._tag === "Right") faces += r.right.faces.length;
  }
  return faces;
};

const loader = startImageLoader();
/** The next image decoded on a worker thread of its own while this one is detected. */
const decodeWorker = async () => {
  let faces = 0;
  let next = loader.load(files[0]);
  for (let i = 0; i < files.length; i++) {
    const img = await next;
    if (i + 1 < files.length) next = loader.load(files[i + 1]);
    if (img._tag === "Left") continue;
    const r = await detector.detect(img.right.image);
    if (r._tag === "Right") faces += r.right.faces.length;
  }
  return faces;
};

/** Two images in flight: while one waits for a stage, the workers run the other's. */
const twoInFlight = async () => {
  let faces = 0;
  let i = 0;
  const lane = async () => {
    while (i < files.length) {
      const img = await loader.load(files[i++]);
      if (img._tag === "Left") continue;
      const r = await detector.detect(img.right.image);
      if (r._tag === "Right") faces += r.right.faces.length;
    }
  };
  await Promise.all([lane(), lane()]);
  return faces;
};

/** `detectEach`: several images in flight, each whole on a worker, decoded on the loader. */
const each = async () => {
  let faces = 0;
  for await (const item of detector.detectEach(files)) {
    if (item.result._tag === "Right") faces += item.result.right.faces.length;
  }
  return faces;
};

for (let i = 0; i < 3; i++) await detector.detect(files[i % files.length]); // warm-up
console.log(
  `${files.length} images from ${dir}, ${workers} worker(s), load average ${
    Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
  }`,
);
console.log("| mode | images/s | faces | peak RSS MB |\n|---|---|---|---|");
for (
  const [name, run] of [
    ["decode, then detect", sequential],
    ["overlapped", overlapped],
    ["overlapped, decode worker", decodeWorker],
    ["decode worker, two images in flight", twoInFlight],
    ["detectEach (image-parallel: each image whole on a worker)", each],
  ] as const
) {
  const t0 = performance.now();
  const faces = await run();
  const s = (performance.now() - t0) / 1000;
  console.log(
    `| ${name} | ${(files.length / s).toFixed(1)} | ${faces} | ${peakRssMb().toFixed(0)} |`,
  );
}
detector.dispose();
loader.terminate();
