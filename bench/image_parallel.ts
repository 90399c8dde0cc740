/**
 * Image-parallel against split detection, A/B in one run on the same worker pool: each round
 * runs every mode once (alternating), and the table gives medians. Images are decoded once
 * beforehand, so only detection is timed. Columns: images/s (wall), CPU ms per image of the
 * whole process and of this (main) thread alone, from /proc.
 *
 *   deno run -A bench/image_parallel.ts [DIR] [--workers N] [--rounds R] [--images K]
 *     [--repeat R] [--in-flight K] [--mode I]
 *
 * Modes: `split, 1 in flight` (each image split over the workers, one after the other: the
 * command line before image-parallel detection); `split, K in flight`; `lanes, N in flight` and
 * `lanes, K in flight` (N workers, K = `--in-flight`, default 2N: each image whole on the worker
 * with the fewest pixels in hand; one alone split, as `detectEach` does; workers with nothing
 * to do take a share of a lane's calls), and the last without that sharing. `--mode I` runs
 * mode I alone (0 to 4), e.g. to compare peak RSS.
 */
import { join } from "node:path";
import { useBackend } from "../mod.ts";
import { faceAndLandmarks, loadImage } from "../stages.ts";
import { loadDefaultWeights } from "../weights.ts";
import { mapInOrder } from "../lib/in_order.ts";
import { imageState } from "../pipelines/stages/load.ts";
import { startNetPool, startNetPoolWith } from "../pipelines/parallel/pool.ts";
import { resolveOptions } from "../pipelines/options.ts";
import type { RgbImage } from "../lib/image.ts";
import type { CandidateState, ImageState, Stage } from "../pipelines/state.ts";
import { sharedData } from "../tests/_shared.ts";
import { peakRssMb } from "./_rss.ts";

const arg = (name: string, dflt: number) => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Number(Deno.args[i + 1]) : dflt;
};
const dirArg = Deno.args.find((a, i) => !a.startsWith("--") && !Deno.args[i - 1]?.startsWith("--"));
const dir = dirArg ?? sharedData("wider_val_416/images");
const workers = arg("--workers", 2);
const rounds = arg("--rounds", 3);
const files = [...Deno.readDirSync(dir)].filter((e) => /\.(jpe?g|png)$/i.test(e.name))
  .map((e) => join(dir, e.name)).sort().slice(0, arg("--images", 100));

/** CPU seconds (user + system) of the process, or of one of its threads, from /proc. */
const cpuSeconds = (path: string): number => {
  const f = Deno.readTextFileSync(path);
  const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
};
const PROCESS = "/proc/self/stat";
const MAIN = `/proc/self/task/${Deno.pid}/stat`;

await useBackend("wasm");
const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error(w.left.message);
const pool = await startNetPool(w.right, workers, "wasm");
if (pool._tag === "Left") throw new Error(pool.left.message);
const o = resolveOptions({});
if (o._tag === "Left") throw new Error(o.left.message);
const split = faceAndLandmarks(pool.right.nets, o.right);
const lanes = pool.right.lanes.map((n) => faceAndLandmarks(n, o.right));
// The same with every lane's calls kept on its own worker (no sharing with idle workers).
const poolAlone = await startNetPoolWith(w.right, workers, "wasm", { shareIdle: false });
if (poolAlone._tag === "Left") throw new Error(poolAlone.left.message);
const lanesAlone = poolAlone.right.lanes.map((n) => faceAndLandmarks(n, o.right));
const splitAlone = faceAndLandmarks(poolAlone.right.nets, o.right);
const images: RgbImage[] = [];
for (let k = 0; k < arg("--repeat", 1); k++) {
  for (const f of files) {
    const r = await loadImage(f);
    if (r._tag === "Right") images.push(r.right);
  }
}

type Cascade = Stage<ImageState, CandidateState>;
/** Detects every image, `inFlight` at a time; `pick` chooses the cascade of each. */
const runAll = async (
  inFlight: number,
  pick: (running: number, pixels: number) => [Cascade, () => void],
) => {
  let faces = 0;
  let running = 0;
  const all = mapInOrder(images, inFlight, async (img) => {
    const state = imageState(
      { image: img, width: img.width, height: img.height, scaleX: 1, scaleY: 1, orientation: 1 },
      true,
      0,
    );
    const [stage, done] = pick(running, img.width * img.height);
    running++;
    try {
      return await stage(state);
    } finally {
      running--;
      done();
    }
  });
  for await (const r of all) if (r._tag === "Right") faces += r.right.candidates.count;
  return faces;
};
const busy = lanes.map(() => 0);
const splitOnly = (): [Cascade, () => void] => [split, () => {}];
const byLaneOf =
  (ls: Cascade[], sp: Cascade) => (running: number, pixels: number): [Cascade, () => void] => {
    if (running === 0 || ls.length === 0) return [sp, () => {}];
    const k = busy.indexOf(Math.min(...busy));
    busy[k] += pixels;
    return [ls[k], () => (busy[k] -= pixels)];
  };
const byLane = byLaneOf(lanes, split);
const K = arg("--in-flight", Math.max(2, 2 * workers));
const modes: [string, () => Promise<number>][] = [
  ["split, 1 in flight", () => runAll(1, splitOnly)],
  [`split, ${K} in flight`, () => runAll(K, splitOnly)],
  [`lanes, ${workers} in flight`, () => runAll(workers, byLane)],
  [`lanes, ${K} in flight`, () => runAll(K, byLane)],
  [
    `lanes, ${K} in flight, idle workers take no share`,
    () => runAll(K, byLaneOf(lanesAlone, splitAlone)),
  ],
];
const only = Deno.args.indexOf("--mode");
if (only >= 0) modes.splice(0, modes.length, modes[Number(Deno.args[only + 1])]);
await modes[0][1](); // warm-up
const seen: Record<string, { ips: number[]; cpu: number[]; main: number[]; faces: number }> = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of modes) {
    const c0 = cpuSeconds(PROCESS), m0 = cpuSeconds(MAIN), t0 = performance.now();
    const faces = await run();
    const s = (performance.now() - t0) / 1000;
    const e = seen[name] ??= { ips: [], cpu: [], main: [], faces };
    e.ips.push(images.length / s);
    e.cpu.push((cpuSeconds(PROCESS) - c0) * 1000 / images.length);
    e.main.push((cpuSeconds(MAIN) - m0) * 1000 / images.length);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${images.length} images from ${dir}, ${workers} workers, ${rounds} rounds (median); ` +
    `load average ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`,
);
console.log("| mode | images/s | CPU ms/image (process) | CPU ms/image (main thread) | faces |");
console.log("|---|---|---|---|---|");
for (const [name] of modes) {
  const e = seen[name];
  console.log(
    `| ${name} | ${median(e.ips).toFixed(1)} | ${median(e.cpu).toFixed(1)} | ${
      median(e.main).toFixed(1)
    } | ${e.faces} |`,
  );
}
console.log(`peak RSS ${peakRssMb().toFixed(0)} MB`);
pool.right.terminate();
poolAlone.right.terminate();
