/**
 * The direct convolution kernels' AssemblyScript source, generated per vector count so that the
 * accumulators stay in registers (used by scripts/build_kernels.ts).
 *
 * @module
 */

/** Pixels per step for each vector count: P * V accumulators + P broadcasts + 1 weight <= 16. */
export const PIXELS: Readonly<Record<number, number>> = { 1: 6, 2: 4, 3: 3, 4: 2 };

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * The AssemblyScript source of conv{v}: a direct stride-1 VALID convolution (NHWC) computing
 * output channels c0 .. c0 + 4v of p pixels per step, with bias and optional PReLU fused.
 */
export const directKernel = (v: number, p: number, fused: boolean): string => {
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
  for (const j of range(v)) {
    L(`  const bias${j} = v128.load(bo, ${16 * j}), al${j} = v128.load(ao, ${16 * j});`);
  }
  L(`  for (let b = 0; b < n; b++) {`);
  L(`    const img = inp + <usize>(b * h * w) * pxIn;`);
  L(`    for (let y = 0; y < ho; y++) {`);
  L(`      for (let x = 0; x < wo; x += ${p}) {`);
  for (const i of range(p).slice(1)) {
    L(`        const o${i} = x + ${i} < wo ? <usize>${i} * pxIn : 0;`);
  }
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
