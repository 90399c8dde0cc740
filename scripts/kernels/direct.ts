/**
 * The direct convolution kernels' AssemblyScript source, generated per vector count so that the
 * accumulators stay in registers (used by scripts/build_kernels.ts).
 *
 * @module
 */

/**
 * Pixels per step of the pixel-first kernels `conv{V}` for each vector count: P * V accumulators
 * + P broadcasts + 1 weight vector <= 16 registers (V = 4 took 2 pixels while bias and alpha were
 * held in registers; with them loaded where used, 3 fit: RNet's 2x2 layer 13.7 -> 15.5 GMAC/s).
 */
export const PIXELS: Readonly<Record<number, number>> = { 1: 6, 2: 4, 3: 3, 4: 3 };

/**
 * Pixels per step of the weight-first kernels `convw{V}`: P * V accumulators + V weight vectors
 * + 1 broadcast <= 16, which allows one more pixel for V = 2 and 3 (the 12-accumulator blocks
 * measured 10-15% faster on rows of 8 or more output pixels, bench/conv_kernels.ts).
 */
export const PIXELS_W: Readonly<Record<number, number>> = { 1: 7, 2: 6, 3: 4, 4: 2 };

/**
 * Pixels per step of the shuffled weight-first kernels `convq{V}`, which only V = 1 has: for rows
 * whose taps come in whole vectors (k = kw * ci, k % 4 == 0) they take 4 taps per step, one vector
 * load per pixel whose lanes are splat by shuffles (P pixel vectors + P accumulators + 4 weight
 * vectors held). PNet's 1x1 heads (32 channels) 22% faster; V = 2 to 4 (Winograd's GEMMs, P = 2
 * to 4) measured 1-24% slower, and so did unrolling the taps by 4 with broadcast loads (docs/speed.md).
 */
export const PIXELS_Q: Readonly<Record<number, number>> = { 1: 7 };

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * The AssemblyScript source of conv{v} (`weightsFirst`: convw{v}): a direct stride-1 VALID
 * convolution (NHWC) computing output channels c0 .. c0 + 4v of p pixels per step, with bias and
 * optional PReLU fused. Pixel-first loads the p input broadcasts of a tap, then one weight vector
 * at a time; weight-first loads the v weight vectors, then one broadcast at a time. Bias and
 * alpha are loaded where they are used, not held in registers across the loops (holding them
 * cost 5-12%: V8 then spills accumulators).
 */
export const directKernel = (
  v: number,
  p: number,
  fused: boolean,
  weightsFirst = false,
  shuffled = false,
): string => {
  const acc = (i: number, j: number) => `a${i}_${j}`;
  const madd = fused
    ? (a: string, b: string, c: string) => `f32x4.relaxed_madd(${a}, ${b}, ${c})`
    : (a: string, b: string, c: string) => `f32x4.add(f32x4.mul(${a}, ${b}), ${c})`;
  const lines: string[] = [];
  const L = (s: string) => lines.push(s);
  const name = shuffled ? `convq${v}` : weightsFirst ? `convw${v}` : `conv${v}`;
  L(`export function ${name}(inp: usize, n: i32, h: i32, w: i32, ci: i32, kh: i32, kw: i32,`);
  L(`  wts: usize, coPad: i32, c0: i32, bias: usize, alpha: usize, act: i32, out: usize,`);
  L(`  co: i32, lastLanes: i32): void {`);
  if (weightsFirst && !shuffled && PIXELS_Q[v]) {
    L(`  if (shuffled && ((kw * ci) & 3) == 0) {`);
    L(`    convq${v}(inp, n, h, w, ci, kh, kw, wts, coPad, c0, bias, alpha, act, out, co, lastLanes);`);
    L(`    return;`);
    L(`  }`);
  }
  L(`  const ho = h - kh + 1, wo = w - kw + 1, k = kw * ci;`);
  L(`  const pxIn = <usize>(ci * 4), pxOut = <usize>(co * 4), wRow = <usize>(coPad * 4);`);
  L(`  const bo = bias + <usize>(c0 * 4), ao = alpha + <usize>(c0 * 4);`);
  L(`  for (let b = 0; b < n; b++) {`);
  L(`    const img = inp + <usize>(b * h * w) * pxIn;`);
  L(`    for (let y = 0; y < ho; y++) {`);
  L(`      for (let x = 0; x < wo; x += ${p}) {`);
  for (const i of range(p).slice(1)) {
    L(`        const o${i} = x + ${i} < wo ? <usize>${i} * pxIn : 0;`);
  }
  for (const i of range(p)) {
    for (const j of range(v)) L(`        let ${acc(i, j)} = v128.load(bo, ${16 * j});`);
  }
  L(`        for (let ky = 0; ky < kh; ky++) {`);
  L(`          let ip = img + <usize>((y + ky) * w + x) * pxIn;`);
  L(`          let wp = wts + <usize>(ky * k) * wRow + <usize>(c0 * 4);`);
  if (shuffled) {
    // k % 4 == 0: a kernel row's taps come in whole vectors. Each accumulator's sums keep the
    // order of convw's (tap by tap), so the outputs are the same bits.
    L(`          for (let t = 0; t < k; t += 4) {`);
    for (const i of range(p)) {
      L(`            const x${i} = v128.load(${i === 0 ? "ip" : `ip + o${i}`});`);
    }
    for (const c of range(4)) {
      for (const j of range(v)) L(`            const w${c}_${j} = v128.load(wp, ${16 * j});`);
      for (const i of range(p)) {
        L(`            const s${c}_${i} = v128.shuffle<f32>(x${i}, x${i}, ${c}, ${c}, ${c}, ${c});`);
        for (const j of range(v)) {
          L(`            ${acc(i, j)} = ${madd(`s${c}_${i}`, `w${c}_${j}`, acc(i, j))};`);
        }
      }
      L(`            wp += wRow;`);
    }
    L(`            ip += 16;`);
    L(`          }`);
    L(`        }`);
  } else {
    L(`          for (let t = 0; t < k; t++) {`);
    emitTap();
    L(`          }`);
    L(`        }`);
  }
  epilogue();
  return lines.join("\n");
  function emitTap() {
    const splat = (i: number) =>
      `            const s${i} = v128.load32_splat(${i === 0 ? "ip" : `ip + o${i}`});`;
    const weight = (j: number) => `            const w${j} = v128.load(wp, ${16 * j});`;
    const step = (i: number, j: number) =>
      `            ${acc(i, j)} = ${madd(`s${i}`, `w${j}`, acc(i, j))};`;
    if (weightsFirst) {
      for (const j of range(v)) L(weight(j));
      for (const i of range(p)) {
        L(splat(i));
        for (const j of range(v)) L(step(i, j));
      }
    } else {
      for (const i of range(p)) L(splat(i));
      for (const j of range(v)) {
        L(weight(j));
        for (const i of range(p)) L(step(i, j));
      }
    }
    L(`            ip += 4; wp += wRow;`);
  }
  function epilogue() {
    L(`        const op = out + <usize>((b * ho + y) * wo + x) * pxOut + <usize>(c0 * 4);`);
    for (const i of range(p)) {
      const guard = i === 0 ? "" : `if (x + ${i} < wo) `;
      L(`        ${guard}{`);
      L(`          const q = op + <usize>${i} * pxOut;`);
      for (const j of range(v)) {
        L(`          let r${j} = ${acc(i, j)};`);
        L(`          if (act) r${j} = v128.bitselect(r${j}, f32x4.mul(r${j}, v128.load(ao, ${
          16 * j
        })), f32x4.ge(r${j}, f32x4.splat(0)));`);
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
  }
};

/**
 * The switch between convw1 handing k % 4 == 0 rows to the shuffled convq1 (1, the default) or
 * doing them itself with one broadcast load per tap (0): the same sums in the same order
 * (tests/conv_shuffle_test.ts compares the two bit for bit).
 */
export const SHUFFLE_SWITCH = `
let shuffled: i32 = 1;

/** Turns the shuffled kernels on (1, the default) or off (0). */
export function setShuffled(on: i32): void { shuffled = on; }
`;
