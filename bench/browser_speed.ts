/**
 * The library in headless Chromium against Deno, same machine, same run:
 *
 * 1. detection ms per bench image (median after a warm-up): Deno on one thread (`createDetector`,
 *    wasm SIMD with our kernels) vs the demo's Web Worker in Chromium (the same); decoding is
 *    excluded on both sides;
 * 2. page weight: the files a first visit fetches, raw and gzip, and the embedded weights' share;
 * 3. time from navigation to the first result for `group_640x480.jpg` (fresh browser context:
 *    cold HTTP cache, new worker, new wasm compile);
 * 4. webcam mode on Chromium's fake camera (640x480 clip of the fixture photos): frames per
 *    second, and memory after 30 and after 300 frames.
 *
 *   deno run --lock=scripts/deno.lock --node-modules-dir=none -A bench/browser_speed.ts [--runs N] [--frames N] [--skip-webcam]
 *
 * Uses `../shared/data/bench/` when present, the fixture photos otherwise.
 */
import { gzipSync } from "node:zlib";
import { basename } from "node:path";
import { createDetector, useBackend } from "../mod.ts";
import { loadImage } from "../stages.ts";
import { wasmConvKernels } from "../lib/kernels/wasm_conv.ts";
import { FACES_DIR, launchChromium, type Page, serveDemo } from "../tests/_browser.ts";
import { HAS_SHARED, sharedData } from "../tests/_shared.ts";
import { DEFAULT_WEIGHTS_BASE64 } from "../lib/weights/default_weights_data.ts";

const arg = (name: string, dflt: string): string => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : dflt;
};
const RUNS = Number(arg("runs", "11"));
const WARMUP = 3;
const FRAMES = Number(arg("frames", "300"));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f0 = (x: number): string => x.toFixed(0);
const kb = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;

const imagesDir = HAS_SHARED ? sharedData("bench") : FACES_DIR;
const names = HAS_SHARED
  ? ["astronaut_512x512.jpg", "group_640x480.jpg", "group_1280x720.jpg", "group_1920x1080.jpg"]
  : ["astronaut_512x512.jpg", "group_640x480.jpg"];
console.log(`load: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")} (1, 5, 15 min)`);

// ---- 1. detection, Deno and Chromium taking turns (a busy machine slows both alike) ----
const server = await serveDemo(imagesDir);
const chromium = await launchChromium();
const page: Page = await chromium.browser.newPage();
await page.goto(`${server.origin}/style.css`);
// The demo's worker, driven from here: one detection per call, its cascade time (no decoding).
const browserKernels = await page.evaluate(`new Promise((resolve, reject) => {
  const w = new Worker("/worker.js", { type: "module" });
  let pending;
  w.onmessage = (e) => {
    const m = e.data;
    if (m.type === "ready") return resolve(JSON.stringify(m.kernels));
    if (m.type === "error") return (pending ? pending.reject : reject)(new Error(m.message));
    pending.resolve(m.detectMs);
  };
  globalThis.detectOnce = (url) => new Promise((resolve, reject) => {
    pending = { resolve, reject };
    w.postMessage({ type: "url", id: 1, url, crops: false });
  });
  w.postMessage({ type: "init", backend: "wasm" });
})`);
const b = await useBackend("wasm");
if (b._tag === "Left") throw new Error(b.left.message);
const d = await createDetector();
if (d._tag === "Left") throw new Error(d.left.message);
console.log(`our kernels: Deno ${JSON.stringify(wasmConvKernels())}, Chromium ${browserKernels}`);
const deno: Record<string, number> = {};
const browser: Record<string, number> = {};
for (const name of names) {
  const img = await loadImage(await Deno.readFile(`${imagesDir}/${name}`));
  if (img._tag === "Left") throw new Error(img.left.message);
  const [dm, bm]: number[][] = [[], []];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t0 = performance.now();
    const r = await d.right.detect(img.right);
    if (r._tag === "Left") throw new Error(r.left.message);
    const t = performance.now() - t0;
    const inBrowser = Number(await page.evaluate(`detectOnce("/images/${name}")`));
    if (i >= WARMUP) dm.push(t), bm.push(inBrowser);
  }
  deno[name] = median(dm);
  browser[name] = median(bm);
}
d.right.dispose();
await page.close();
console.log("\n| image | Deno, 1 thread (ms) | Chromium worker (ms) | ratio |");
console.log("|---|---|---|---|");
for (const n of names) {
  console.log(
    `| ${n} | ${f0(deno[n])} | ${f0(browser[n])} | ${(browser[n] / deno[n]).toFixed(2)} |`,
  );
}

// ---- 2 and 3. page weight and time to the first result ----
const firsts: number[] = [];
let fetched: string[] = [];
for (let i = 0; i < 3; i++) {
  const ctx = await chromium.browser.createBrowserContext();
  const p = await ctx.newPage();
  const urls: string[] = [];
  p.on("requestfinished", (r: { url(): string }) => urls.push(new URL(r.url()).pathname));
  await p.goto(`${server.origin}/?image=/images/group_640x480.jpg`);
  await p.waitForFunction(`document.body.dataset.firstResultMs !== undefined`, { timeout: 60_000 });
  firsts.push(Number(await p.evaluate(`document.body.dataset.firstResultMs`)));
  fetched = urls;
  await ctx.close();
}
const site = `${server.origin}`;
const weightBytes = DEFAULT_WEIGHTS_BASE64.length;
console.log(
  `\nnavigation to first result, group_640x480.jpg: median ${f0(median(firsts))} ms of ` +
    `${firsts.map(f0).join(", ")}`,
);
console.log("\n| file fetched | bytes | gzip |");
console.log("|---|---|---|");
let raw = 0, gz = 0;
for (const path of [...new Set(fetched)].filter((p) => !p.startsWith("/images/"))) {
  const bytes = new Uint8Array(await (await fetch(site + path)).arrayBuffer());
  const z = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gz += z;
  console.log(
    `| ${basename(path) || "/"} | ${bytes.length} (${kb(bytes.length)}) | ${z} (${kb(z)}) |`,
  );
}
console.log(`| total | ${raw} (${kb(raw)}) | ${gz} (${kb(gz)}) |`);
const wz = gzipSync(new TextEncoder().encode(DEFAULT_WEIGHTS_BASE64), { level: 9 }).length;
console.log(
  `| of which the embedded weights (base64, a chunk of their own) | ${weightBytes} (${
    kb(weightBytes)
  }) | ` +
    `${wz} (${kb(wz)}) |`,
);

await chromium.close();

// ---- 4. webcam ----
if (!Deno.args.includes("--skip-webcam")) {
  const dir = await Deno.makeTempDir();
  const clip = `${dir}/faces.y4m`;
  const fit = "scale=640:480:force_original_aspect_ratio=decrease," +
    "pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=15";
  await new Deno.Command("ffmpeg", {
    args: [
      ..."-v error -y -loop 1 -t 2 -i".split(" "),
      `${FACES_DIR}group_640x480.jpg`,
      ..."-loop 1 -t 2 -i".split(" "),
      `${FACES_DIR}ivan.jpg`,
      "-filter_complex",
      `[0:v]${fit}[a];[1:v]${fit}[b];[a][b]concat=n=2:v=1[v]`,
      ..."-map [v] -pix_fmt yuv420p".split(" "),
      clip,
    ],
  }).output();
  const cam = await launchChromium([
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    `--use-file-for-fake-video-capture=${clip}`,
  ]);
  const pid = cam.browser.process()?.pid;
  /** Resident memory of the browser's processes by `--type` (browser, renderer, gpu, ...), MiB. */
  const rssByType = (): Record<string, number> => {
    const kids = new Map<number, number[]>();
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        kids.set(ppid, [...(kids.get(ppid) ?? []), Number(e.name)]);
      } catch { /* gone */ }
    }
    const out: Record<string, number> = {};
    const walk = (p: number) => {
      try {
        const cmd = Deno.readTextFileSync(`/proc/${p}/cmdline`);
        const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? (p === pid ? "browser" : "other");
        const sub = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1];
        const key = sub ? `${type} (${sub.split(".").pop()})` : type;
        const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${p}/status`));
        out[key] = (out[key] ?? 0) + (m ? Number(m[1]) / 1024 : 0);
      } catch { /* gone */ }
      for (const k of kids.get(p) ?? []) walk(k);
    };
    if (pid) walk(pid);
    return out;
  };
  const p = await cam.browser.newPage();
  await p.goto(`${server.origin}/?webcam=1&frames=${FRAMES}`);
  const at = async (n: number) => {
    await p.waitForFunction(`globalThis.mtcnnStats.frames >= ${n}`, { timeout: 600_000 });
    const t = performance.now();
    const s = await p.evaluate(
      `(() => { const s = globalThis.mtcnnStats; const i = s.frames - 1;
        return { frames: s.frames, tensors: s.tensors[i], wasm: s.wasmBytes[i] }; })()`,
    ) as { frames: number; tensors: number; wasm: number };
    // JS heaps after a full garbage collection, so that only what is kept counts.
    const heaps = [];
    for (const session of [p.workers()[0]?.client, await p.createCDPSession()]) {
      if (!session) continue;
      await session.send("HeapProfiler.collectGarbage");
      heaps.push((await session.send("Runtime.getHeapUsage")).usedSize);
    }
    return { ...s, t, worker: heaps[0] ?? NaN, page: heaps[1] ?? NaN, rss: rssByType() };
  };
  const a = await at(30);
  const b = await at(FRAMES);
  const fps = (b.frames - a.frames) * 1000 / (b.t - a.t);
  console.log(`\nwebcam 640x480, frames ${a.frames}..${b.frames}: ${fps.toFixed(1)} fps`);
  const types = [...new Set([...Object.keys(a.rss), ...Object.keys(b.rss)])].sort();
  console.log(
    "| after frame | numTensors | wasm heap | worker JS heap | page JS heap | " +
      types.map((t) => `RSS ${t}`).join(" | ") + " |",
  );
  console.log("|---|---|---|---|---|" + types.map(() => "---|").join(""));
  for (const s of [a, b]) {
    console.log(
      `| ${s.frames} | ${s.tensors} | ${kb(s.wasm)} | ${kb(s.worker)} | ${kb(s.page)} | ` +
        types.map((t) => `${f0(s.rss[t] ?? 0)} MiB`).join(" | ") + " |",
    );
  }
  await cam.close();
  await Deno.remove(dir, { recursive: true });
}
await server.close();
console.log(`\nload at the end: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
