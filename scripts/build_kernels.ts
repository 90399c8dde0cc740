/**
 * Builds the convolution kernels (WebAssembly, SIMD) that replace tfjs-wasm's `Conv2D` and
 * `FusedConv2D` for MTCNN's layers, and embeds them in lib/kernels/conv_wasm_data.ts.
 *
 * The kernel source (AssemblyScript) is generated here: one function per vector count V (1 to 4
 * vectors of 4 output channels) with P output pixels per step, unrolled so that the P x V
 * accumulators stay in registers. Run after changing it:
 *
 *   deno run --allow-read --allow-write --allow-env --allow-sys scripts/build_kernels.ts
 *
 * @module
 */

import asc from "assemblyscript/asc";
import { encodeBase64 } from "../lib/base64.ts";
import { writeFileAtomic } from "../pipelines/edge/atomic.ts";

/** Pixels per step for each vector count: P * V accumulators + P broadcasts + 1 weight <= 16. */
export const PIXELS: Readonly<Record<number, number>> = { 1: 6, 2: 4, 3: 3, 4: 2 };

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

const fn = (v: number, p: number, fused: boolean): string => {
  const acc = (i: number, j: number) => `a${i}_${j}`;
  const madd = fused
    ? (a: string, b: string, c: string) => `f32x4.relaxed_madd(${a}, ${b}, ${c})`
    : (a: string, b: string, c: string) => `f32x4.add(f32x4.mul(${a}, ${b}), ${c})`;
  const lines: string[] = [];
  const L = (s: string) => lines.push(s);
  L(`export function conv${v}(inp: usize, n: i32, h: i32, w: i32, ci: i32, kh: i32, kw: i32,`);
  L(`  wts: usize, coPad: i32, c0: i32, bias: usize, alpha: usize, act: i32, out: usize,`);
  L(`  co: i32, lastLanes: i32): void {`);
  L(`  const ho = h - kh + 1, wo = w - kw + 1, k = kw * ci;`);
  L(`  const pxIn = <usize>(ci * 4), pxOut = <usize>(co * 4), wRow = <usize>(coPad * 4);`);
  L(`  const bo = bias + <usize>(c0 * 4), ao = alpha + <usize>(c0 * 4);`);
  for (const j of range(v)) L(`  const bias${j} = v128.load(bo, ${16 * j}), al${j} = v128.load(ao, ${16 * j});`);
  L(`  for (let b = 0; b < n; b++) {`);
  L(`    const img = inp + <usize>(b * h * w) * pxIn;`);
  L(`    for (let y = 0; y < ho; y++) {`);
  L(`      for (let x = 0; x < wo; x += ${p}) {`);
  for (const i of range(p).slice(1)) L(`        const o${i} = x + ${i} < wo ? <usize>${i} * pxIn : 0;`);
  for (const i of range(p)) for (const j of range(v)) L(`        let ${acc(i, j)} = bias${j};`);
  L(`        for (let ky = 0; ky < kh; ky++) {`);
  L(`          let ip = img + <usize>((y + ky) * w + x) * pxIn;`);
  L(`          let wp = wts + <usize>(ky * k) * wRow + <usize>(c0 * 4);`);
  L(`          for (let t = 0; t < k; t++) {`);
  L(`            const s0 = v128.load32_splat(ip);`);
  for (const i of range(p).slice(1)) L(`            const s${i} = v128.load32_splat(ip + o${i});`);
  for (const j of range(v)) {
    L(`            const w${j} = v128.load(wp, ${16 * j});`);
    for (const i of range(p)) L(`            ${acc(i, j)} = ${madd(`s${i}`, `w${j}`, acc(i, j))};`);
  }
  L(`            ip += 4; wp += wRow;`);
  L(`          }`);
  L(`        }`);
  L(`        const op = out + <usize>((b * ho + y) * wo + x) * pxOut + <usize>(c0 * 4);`);
  for (const i of range(p)) {
    const guard = i === 0 ? "" : `if (x + ${i} < wo) `;
    L(`        ${guard}{`);
    L(`          const q = op + <usize>${i} * pxOut;`);
    for (const j of range(v)) {
      L(`          let r${j} = ${acc(i, j)};`);
      L(`          if (act) r${j} = v128.bitselect(r${j}, f32x4.mul(r${j}, al${j}), f32x4.ge(r${j}, f32x4.splat(0)));`);
      if (j < v - 1) L(`          v128.store(q, r${j}, ${16 * j});`);
      else {
        L(`          if (lastLanes == 4) v128.store(q, r${j}, ${16 * j});`);
        L(`          else if (lastLanes == 1) v128.store32_lane(q, r${j}, 0, ${16 * j});`);
        L(`          else { v128.store64_lane(q, r${j}, 0, ${16 * j});`);
        L(`            if (lastLanes == 3) v128.store32_lane(q, r${j}, 2, ${16 * j + 8}); }`);
      }
    }
    L(`        }`);
  }
  L(`      }`);
  L(`    }`);
  L(`  }`);
  L(`}`);
  return lines.join("\n");
};

/** The AssemblyScript source of the kernels. */
export const kernelSource = (fused = true, pixels = PIXELS): string =>
  [1, 2, 3, 4].map((v) => fn(v, pixels[v], fused)).join("\n\n") + "\n";

/** asc options: SIMD (+ relaxed SIMD for the fused variant), no runtime, tfjs's memory. */
const ASC_FLAGS = [
  "-O3",
  "--enable",
  "simd",
  "--runtime",
  "stub",
  "--importMemory",
  "--noAssert",
  "--use",
  "abort=",
];

/** Compiles kernel source to WebAssembly with AssemblyScript's compiler. */
export const compileKernels = async (fused: boolean): Promise<Uint8Array> => {
  const src = kernelSource(fused);
  let wasm: Uint8Array | undefined;
  const flags = fused ? [...ASC_FLAGS, "--enable", "relaxed-simd"] : ASC_FLAGS;
  const r = await asc.main(["conv.ts", ...flags, "-o", "conv.wasm"], {
    readFile: (name: string) => (name === "conv.ts" ? src : null),
    writeFile: (name: string, data: Uint8Array | string) => {
      if (name === "conv.wasm" && typeof data !== "string") wasm = data;
    },
    listFiles: () => [],
  });
  if (r.error || !wasm) throw new Error(`asc failed: ${r.error?.message ?? "no output"}`);
  return wasm;
};

/** The generated module lib/kernels/conv_wasm_data.ts for the two builds. */
export const dataModule = (fma: Uint8Array, plain: Uint8Array): string =>
  [
    "// Generated by scripts/build_kernels.ts: do not edit.",
    "/** The convolution kernels with fused multiply-add (relaxed SIMD), base64. */",
    `export const CONV_WASM_FMA = "${encodeBase64(fma)}";`,
    "/** The same kernels with multiply then add (plain SIMD), base64. */",
    `export const CONV_WASM_PLAIN = "${encodeBase64(plain)}";`,
    "",
  ].join("\n");

/** Where the generated module lives. */
export const DATA_PATH = new URL("../lib/kernels/conv_wasm_data.ts", import.meta.url);

if (import.meta.main) {
  const text = dataModule(await compileKernels(true), await compileKernels(false));
  await writeFileAtomic(DATA_PATH.pathname, new TextEncoder().encode(text));
  console.log(`wrote ${DATA_PATH.pathname} (${text.length} bytes)`);
}
