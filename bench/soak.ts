/**
 * Soak test (issue 4): many detections of mixed images on one detector, printing
 * `tf.memory().numTensors` and the process RSS at the start, every `--every` detections and
 * at the end; then the same images detected concurrently (all at once on the one detector)
 * and one after another, which must give identical results.
 *
 * Images: `../shared/data/peer_tests` and `../shared/data/bench` (paths, so each detection also
 * reads and decodes), the same bytes with an EXIF orientation, and one bad input (a cut-off
 * JPEG) in 25 that must fail with a DecodeError. Without `../shared`, generated images are used.
 *
 *   deno run -A --v8-flags=--expose-gc bench/soak.ts [--n 1000] [--every 100] [--backend auto]
 *
 * With `--expose-gc`, a garbage collection runs before each reading and "RSS after GC" shows
 * what is still held; plain RSS also counts freed image buffers not yet collected.
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync } from "node:fs";
import { Image } from "imagescript";
import {
  createDetector,
  type Detection,
  type ImageInput,
  type MtcnnError,
  type Result,
  useBackend,
} from "../mod.ts";
import { loadDefaultWeights } from "../weights.ts";
import { sharedData } from "../tests/_shared.ts";

const arg = (name: string, dflt: string): string => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : dflt;
};
const N = Number(arg("n", "1000"));
const EVERY = Number(arg("every", "100"));

/** Inserts an APP1 Exif segment with only an Orientation after a JPEG's SOI. */
const withOrientation = (jpeg: Uint8Array, o: number): Uint8Array => {
  const app1 = [0xff, 0xe1, 0, 34, 0x45, 0x78, 0x69, 0x66, 0, 0, 0x4d, 0x4d, 0, 42, 0, 0, 0, 8];
  const ifd = [0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, o, 0, 0, 0, 0, 0, 0];
  return new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...ifd, ...jpeg.subarray(2)]);
};

const inputs = async (): Promise<{ name: string; input: ImageInput }[]> => {
  const dirs = ["peer_tests", "bench"].map((d) => sharedData(d)).filter((d) => existsSync(d));
  const out: { name: string; input: ImageInput }[] = [];
  for (const dir of dirs) {
    for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name))) {
      if (/\.(jpe?g|png)$/i.test(e.name)) out.push({ name: e.name, input: `${dir}/${e.name}` });
    }
  }
  if (out.length === 0) {
    console.log("../shared/data is absent: soaking on generated images instead");
    for (const [w, h] of [[320, 240], [640, 480], [200, 600]]) {
      const img = new Image(w, h);
      for (let i = 0; i < w * h; i++) img.bitmap.set([i % 251, (i >> 3) % 253, 128, 255], i * 4);
      out.push({ name: `generated ${w}x${h}`, input: await img.encodeJPEG(85) });
    }
  }
  const first = out.find((x) => typeof x.input === "string" && x.input.endsWith(".jpg"));
  const bytes = first ? await Deno.readFile(first.input as string) : out[0].input as Uint8Array;
  out.push({ name: "EXIF orientation 6", input: withOrientation(bytes, 6) });
  out.push({ name: "EXIF orientation 3", input: withOrientation(bytes, 3) });
  return out;
};

const mib = (n: number): string => (n / 2 ** 20).toFixed(1);

const summary = (r: Result<MtcnnError, Detection>): string =>
  r._tag === "Left" ? `${r.left._tag}` : JSON.stringify(r.right.faces);

const b = await useBackend(arg("backend", "auto") as "auto");
if (b._tag === "Left") throw new Error(b.left.message);
const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error(w.left.message);
const made = await createDetector({ weights: w.right });
if (made._tag === "Left") throw new Error(made.left.message);
const detector = made.right;
const images = await inputs();
const good = images.filter((x) => typeof x.input === "string").at(-1) ?? images[0];
const cut = typeof good.input === "string" ? await Deno.readFile(good.input) : good.input;
const bad = { name: "cut-off JPEG", input: (cut as Uint8Array).slice(0, 5000) };

console.log(`backend ${tf.getBackend()}, ${images.length} images + 1 bad input, ${N} detections`);
const gc = (globalThis as { gc?: () => void }).gc;
console.log(
  "| detections | numTensors | RSS MiB | RSS after GC MiB | heap MiB | faces | failures | s |",
);
console.log("|---|---|---|---|---|---|---|---|");
const t0 = performance.now();
let faces = 0, failures = 0, unexpected = 0;
const row = (k: number) => {
  const rss = Deno.memoryUsage().rss;
  gc?.();
  const m = Deno.memoryUsage();
  console.log(
    `| ${k} | ${tf.memory().numTensors} | ${mib(rss)} | ${gc ? mib(m.rss) : "-"} | ` +
      `${mib(m.heapUsed)} | ${faces} | ` +
      `${failures} | ${((performance.now() - t0) / 1000).toFixed(0)} |`,
  );
};
row(0);
for (let k = 1; k <= N; k++) {
  const item = k % 25 === 0 ? bad : images[k % images.length];
  const r = await detector.detect(item.input);
  if (r._tag === "Right") faces += r.right.faces.length;
  else {
    failures++;
    if (item !== bad || r.left._tag !== "DecodeError") {
      unexpected++;
      console.log(`unexpected failure on ${item.name}: ${r.left.message}`);
    }
  }
  if (k % EVERY === 0 || k === N) row(k);
}

// Concurrent against sequential: every image once, all detect calls started together.
const tc = performance.now();
const together = await Promise.all(images.map((x) => detector.detect(x.input)));
const concurrentMs = performance.now() - tc;
const ts = performance.now();
const oneByOne: Result<MtcnnError, Detection>[] = [];
for (const x of images) oneByOne.push(await detector.detect(x.input));
const sequentialMs = performance.now() - ts;
const differ = images.filter((_, i) => summary(together[i]) !== summary(oneByOne[i]));
console.log(
  `\nconcurrent (${images.length} calls at once) ${concurrentMs.toFixed(0)} ms, ` +
    `sequential ${sequentialMs.toFixed(0)} ms; ${images.length - differ.length}/${images.length} ` +
    `identical${differ.length ? `; differ: ${differ.map((x) => x.name).join(", ")}` : ""}`,
);
row(N);
detector.dispose();
console.log(
  `after dispose: numTensors ${tf.memory().numTensors}; unexpected failures ${unexpected}`,
);
if (differ.length || unexpected) Deno.exit(1);
