/**
 * The machine's WebAssembly SIMD multiply-add peak, the ceiling for our convolution kernels:
 * 12 independent chains of `f32x4.relaxed_madd` (and of `f32x4.mul` + `f32x4.add` for the plain
 * SIMD build) in a loop, compiled with the kernels' AssemblyScript flags, on 1 thread and on N
 * Workers at once. Prints GMAC/s (4 lanes per instruction); both wall and CPU time for one thread
 * (CPU time is what other jobs on a shared machine disturb least).
 *
 * Run: `deno run -A --lock=scripts/deno.lock --node-modules-dir=none bench/fma_peak.ts [--workers 2]` (AssemblyScript, which
 * compiles the loop, stays out of the project's lockfile, as for scripts/build_kernels.ts).
 *
 * @module
 */
import process from "node:process";

// Imported at run time (not a literal specifier): the build module pulls AssemblyScript, which
// must stay out of the project's deno.lock (run with --lock=scripts/deno.lock, see below).
const BUILD = new URL("../scripts/build_kernels.ts", import.meta.url).href;
const { compileSource } = await import(BUILD) as {
  compileSource: (src: string, fused: boolean) => Promise<Uint8Array>;
};

const CHAINS = 12;

const source = (fused: boolean): string => {
  // Each chain: a = a * m + c (nothing to hoist out of the loop).
  const madd = (a: string) =>
    fused ? `f32x4.relaxed_madd(${a}, m, c)` : `f32x4.add(f32x4.mul(${a}, m), c)`;
  const ids = Array.from({ length: CHAINS }, (_, i) => i);
  // m and c depend on n so that they live in registers (constants are rematerialised per use).
  return `export function peak(n: i32): f32 {
  const m = f32x4.splat(<f32>0.99999 + <f32>(n & 1) * <f32>1e-9);
  const c = f32x4.splat(<f32>0.00001 + <f32>(n & 2) * <f32>1e-9);
  ${ids.map((i) => `let a${i} = f32x4.splat(${(i + 1) / 100});`).join("\n  ")}
  for (let i = 0; i < n; i++) {
    ${ids.map((i) => `a${i} = ${madd(`a${i}`)};`).join("\n    ")}
  }
  let s = a0;
  ${ids.slice(1).map((i) => `s = f32x4.add(s, a${i});`).join("\n  ")}
  return f32x4.extract_lane(s, 0);
}`;
};

const ITERS = 20_000_000;
const macs = ITERS * CHAINS * 4;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Many short calls first: V8 runs a wasm function in its baseline tier until a later call
 * picks up the optimised code (a running call is never replaced).
 */
const warmUp = (peak: (n: number) => number) => {
  for (let i = 0; i < 200; i++) peak(10_000);
};

/** Best of 5 runs on this thread: [GMAC/s wall, GMAC/s CPU]. */
const onThisThread = (bytes: Uint8Array): [number, number] => {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {
    env: { memory: new WebAssembly.Memory({ initial: 1 }) },
  });
  const peak = inst.exports.peak as (n: number) => number;
  warmUp(peak);
  let wall = Infinity, cpu = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now(), c0 = cpuMs();
    peak(ITERS);
    wall = Math.min(wall, performance.now() - t0);
    cpu = Math.min(cpu, cpuMs() - c0);
  }
  return [macs / wall / 1e6, macs / cpu / 1e6];
};

const WORKER = `self.onmessage = (e) => {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(e.data.bytes), {
    env: { memory: new WebAssembly.Memory({ initial: 1 }) },
  });
  for (let i = 0; i < 200; i++) inst.exports.peak(10000);
  const t0 = performance.now();
  inst.exports.peak(e.data.iters);
  self.postMessage(performance.now() - t0);
};`;

/** n Workers each running the loop at once: total GMAC/s (wall, slowest worker). */
const onWorkers = async (bytes: Uint8Array, n: number): Promise<number> => {
  const url = URL.createObjectURL(new Blob([WORKER], { type: "text/javascript" }));
  const workers = Array.from({ length: n }, () => new Worker(url, { type: "module" }));
  try {
    const times = await Promise.all(workers.map((w) =>
      new Promise<number>((done) => {
        w.onmessage = (e: MessageEvent<number>) => done(e.data);
        w.postMessage({ bytes, iters: ITERS });
      })
    ));
    return (n * macs) / Math.max(...times) / 1e6;
  } finally {
    workers.forEach((w) => w.terminate());
    URL.revokeObjectURL(url);
  }
};

const at = Deno.args.indexOf("--workers");
const n = at >= 0 ? Math.max(1, Number(Deno.args[at + 1]) || 2) : 2;
console.log(`load average: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(
  `| build | 1 thread GMAC/s (wall) | 1 thread GMAC/s (CPU) | ${n} workers GMAC/s (wall) |`,
);
console.log("|---|---|---|---|");
for (const fused of [true, false]) {
  const bytes = await compileSource(source(fused), fused);
  const [wall, cpu] = onThisThread(bytes);
  const par = await onWorkers(bytes, n);
  const name = fused ? "relaxed_madd (FMA)" : "mul + add";
  console.log(`| ${name} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${par.toFixed(1)} |`);
}
