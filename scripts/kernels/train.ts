/**
 * The training kernels' AssemblyScript source (used by scripts/build_kernels.ts): the filter
 * gradient of a stride-1 VALID convolution, the max-pool gradient, sums over leading axes, the
 * PReLU gradient (input and alpha in one pass) and Adam's update, all in tfjs-wasm's memory; and
 * those of scripts/kernels/train_layers.ts.
 *
 * @module
 */
import { LAYER_KERNELS } from "./train_layers.ts";

/** Output pixels per pass of the filter gradient (24 to 96 measured alike on ONet conv2). */
const ROW_PIXELS = 48;

/**
 * Vectors of output channels per pass, at most (u * VMAX accumulators): 3 rather than 2 took
 * ONet conv2's filter gradient (520 M multiply-adds at batch 64) from 42 to 35 ms CPU.
 */
const VMAX = 3;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * fg{u}_{v}: adds to acc ([kh * kw * ci, coPad], HWIO with padded out channels) the products
 * of one image's input channels c0 .. c0 + u with its output gradient's channels o0 .. o0 + 4v,
 * over the output rows y0 .. y1: u * v accumulators in registers per filter tap.
 */
const filterGradKernel = (u: number, v: number, fused: boolean): string => {
  const madd = fused
    ? (a: string, b: string, c: string) => `f32x4.relaxed_madd(${a}, ${b}, ${c})`
    : (a: string, b: string, c: string) => `f32x4.add(f32x4.mul(${a}, ${b}), ${c})`;
  const L: string[] = [];
  L.push(`@inline function fg${u}_${v}(x: usize, w: i32, ci: i32, c0: i32, dy: usize, dyc: i32,`);
  L.push(`  y0: i32, y1: i32, ow: i32, coPad: i32, o0: i32, kh: i32, kw: i32, acc: usize): void {`);
  L.push(`  const pxIn = <usize>(ci * 4), pxOut = <usize>(coPad * 4), pxDy = <usize>(dyc * 4);`);
  L.push(`  for (let ky = 0; ky < kh; ky++) {`);
  L.push(`    for (let kx = 0; kx < kw; kx++) {`);
  L.push(`      const ab = acc + <usize>(((ky * kw + kx) * ci + c0) * coPad + o0) * 4;`);
  for (const i of range(u)) {
    for (const j of range(v)) {
      L.push(`      let a${i}_${j} = v128.load(ab + ${i} * pxOut, ${16 * j});`);
    }
  }
  L.push(`      for (let y = y0; y < y1; y++) {`);
  L.push(`        let xp = x + <usize>(((y + ky) * w + kx) * ci + c0) * 4;`);
  L.push(`        let dp = dy + <usize>(y * ow) * pxDy + <usize>(o0 * 4);`);
  L.push(`        for (let t = 0; t < ow; t++) {`);
  // dY's vectors first, then one input channel at a time: u * v + v + 1 registers.
  for (const j of range(v)) L.push(`          const d${j} = v128.load(dp, ${16 * j});`);
  for (const i of range(u)) {
    L.push(`          const s${i} = v128.load32_splat(xp, ${4 * i});`);
    for (const j of range(v)) {
      L.push(`          a${i}_${j} = ${madd(`s${i}`, `d${j}`, `a${i}_${j}`)};`);
    }
  }
  L.push(`          xp += pxIn; dp += pxDy;`);
  L.push(`        }`);
  L.push(`      }`);
  for (const i of range(u)) {
    for (const j of range(v)) L.push(`      v128.store(ab + ${i} * pxOut, a${i}_${j}, ${16 * j});`);
  }
  L.push(`    }`);
  L.push(`  }`);
  L.push(`}`);
  return L.join("\n");
};

/** Channel blocks: 4 input channels x 2 vectors of output channels, smaller at the edges. */
const filterGradDriver = (): string => {
  const L: string[] = [];
  L.push(`/**`);
  L.push(
    ` * dW[ky, kx, c, o] = sum over b, y, x of X[b, y + ky, x + kx, c] * dY[b, y, x, o] for a`,
  );
  L.push(
    ` * stride-1 VALID convolution; dy has dyc floats per pixel (coPad, zero-padded, or co: then`,
  );
  L.push(
    ` * the lanes past co read the next pixel's, which only reach acc's padding columns), acc`,
  );
  L.push(` * [kh * kw * ci, coPad] is zeroed here and holds the result.`);
  L.push(` */`);
  L.push(`export function filterGrad(x: usize, n: i32, h: i32, w: i32, ci: i32, dy: usize,`);
  L.push(`  dyc: i32, coPad: i32, kh: i32, kw: i32, acc: usize): void {`);
  L.push(`  const oh = h - kh + 1, ow = w - kw + 1;`);
  L.push(`  memory.fill(acc, 0, <usize>(kh * kw * ci * coPad * 4));`);
  // Output rows ROW_PIXELS pixels at a time, so that their input and dY rows stay in L1.
  L.push(`  const rows = max(1, ${ROW_PIXELS} / ow);`);
  L.push(`  for (let b = 0; b < n; b++) {`);
  L.push(`    const xb = x + <usize>(b * h * w * ci) * 4;`);
  L.push(`    const db = dy + <usize>(b * oh * ow * dyc) * 4;`);
  L.push(`    for (let y0 = 0; y0 < oh; y0 += rows) {`);
  L.push(`      const y1 = min(oh, y0 + rows);`);
  L.push(`      for (let c0 = 0; c0 < ci; c0 += 4) {`);
  L.push(`        const u = min(4, ci - c0);`);
  // Groups of 3 vectors while more than 4 are left, then 4 as 2 + 2, else the rest.
  L.push(`        for (let o0 = 0; o0 < coPad;) {`);
  L.push(`          const left = (coPad - o0) >> 2;`);
  L.push(`          const vs = left > 4 ? 3 : left == 4 ? 2 : left;`);
  for (const u of [1, 2, 3, 4]) {
    const args = `xb, w, ci, c0, db, dyc, y0, y1, ow, coPad, o0, kh, kw, acc`;
    L.push(`          ${u === 1 ? "" : "else "}if (u == ${u}) {`);
    for (const v of range(VMAX)) {
      L.push(`            ${v ? "else " : ""}if (vs == ${v + 1}) fg${u}_${v + 1}(${args});`);
    }
    L.push(`          }`);
  }
  L.push(`          o0 += 4 * vs;`);
  L.push(`        }`);
  L.push(`      }`);
  L.push(`    }`);
  L.push(`  }`);
  L.push(`}`);
  return L.join("\n");
};

const HELPERS = `
/** Copies rows of c floats to rows of cPad floats, zeros in the extra lanes. */
export function padRows(src: usize, rows: i32, c: i32, cPad: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>(r * c) * 4, d = dst + <usize>(r * cPad) * 4;
    memory.copy(d, s, <usize>(c * 4));
    memory.fill(d + <usize>(c * 4), 0, <usize>((cPad - c) * 4));
  }
}

/** Copies rows of cPad floats to rows of c floats (drops the padding). */
export function unpadRows(src: usize, rows: i32, c: i32, cPad: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + <usize>(r * c) * 4, src + <usize>(r * cPad) * 4, <usize>(c * 4));
  }
}

/**
 * Zero-pads images of [h, w, c] by "top" rows and "left" columns into [H, W, c] (n images),
 * for the input gradient's full correlation.
 */
export function padImages(src: usize, n: i32, h: i32, w: i32, c: i32, top: i32, left: i32,
  hh: i32, ww: i32, dst: usize): void {
  memory.fill(dst, 0, <usize>(n * hh * ww * c) * 4);
  const row = <usize>(w * c) * 4;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const s = src + <usize>((b * h + y) * w * c) * 4;
      const d = dst + <usize>(((b * hh + y + top) * ww + left) * c) * 4;
      memory.copy(d, s, row);
    }
  }
}

/** The filter turned by 180 degrees with in and out swapped: dst[ky, kx, o, c] = src[kh-1-ky, kw-1-kx, c, o]. */
export function flipFilter(src: usize, kh: i32, kw: i32, ci: i32, co: i32, dst: usize): void {
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const s = src + <usize>(((kh - 1 - ky) * kw + (kw - 1 - kx)) * ci * co) * 4;
      const d = dst + <usize>((ky * kw + kx) * co * ci) * 4;
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) {
          store<f32>(d + <usize>(o * ci + c) * 4, load<f32>(s + <usize>(c * co + o) * 4));
        }
      }
    }
  }
}

/** dst[c, r] = src[r, c] (a rows x cols matrix transposed), in 8 x 8 blocks. */
export function transpose2d(src: usize, rows: i32, cols: i32, dst: usize): void {
  for (let r0 = 0; r0 < rows; r0 += 8) {
    const r1 = min(rows, r0 + 8);
    for (let c0 = 0; c0 < cols; c0 += 8) {
      const c1 = min(cols, c0 + 8);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) {
          store<f32>(dst + <usize>(c * rows + r) * 4, load<f32>(src + <usize>(r * cols + c) * 4));
        }
      }
    }
  }
}

/** dst[c] = sum over r of src[r, c] (rows summed in order). */
export function colSum(src: usize, rows: i32, c: i32, dst: usize): void {
  memory.fill(dst, 0, <usize>(c * 4));
  const full = c & ~3;
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>(r * c) * 4;
    for (let k = 0; k < full; k += 4) {
      const o = <usize>(k * 4);
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(s + o)));
    }
    for (let k = full; k < c; k++) {
      const o = <usize>(k * 4);
      store<f32>(dst + o, load<f32>(dst + o) + load<f32>(s + o));
    }
  }
}

/** PReLU's input gradient over rows of c channels: dx = x > 0 ? dy : dy * alpha. */
export function preluGradX(x: usize, dy: usize, alpha: usize, rows: i32, c: i32, dx: usize): void {
  const full = c & ~3;
  const z = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const ro = <usize>(r * c) * 4;
    for (let k = 0; k < full; k += 4) {
      const o = <usize>(k * 4);
      const gv = v128.load(dy + ro + o);
      const pos = f32x4.gt(v128.load(x + ro + o), z);
      v128.store(dx + ro + o, v128.bitselect(gv, f32x4.mul(gv, v128.load(alpha + o)), pos));
    }
    for (let k = full; k < c; k++) {
      const o = <usize>(k * 4);
      const gv = load<f32>(dy + ro + o);
      store<f32>(dx + ro + o, load<f32>(x + ro + o) > 0 ? gv : gv * load<f32>(alpha + o));
    }
  }
}

/** PReLU's alpha gradient: dalpha[c] = sum over rows of (x > 0 ? 0 : dy * x). */
export function preluGradAlpha(x: usize, dy: usize, rows: i32, c: i32, dalpha: usize): void {
  memory.fill(dalpha, 0, <usize>(c * 4));
  const full = c & ~3;
  const z = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const ro = <usize>(r * c) * 4;
    for (let k = 0; k < full; k += 4) {
      const o = <usize>(k * 4);
      const xv = v128.load(x + ro + o);
      const da = v128.bitselect(z, f32x4.mul(v128.load(dy + ro + o), xv), f32x4.gt(xv, z));
      v128.store(dalpha + o, f32x4.add(v128.load(dalpha + o), da));
    }
    for (let k = full; k < c; k++) {
      const o = <usize>(k * 4);
      const xv = load<f32>(x + ro + o);
      if (!(xv > 0)) store<f32>(dalpha + o, load<f32>(dalpha + o) + load<f32>(dy + ro + o) * xv);
    }
  }
}

/**
 * The max pool's gradient (NHWC): each output's gradient is added to the first maximum of its
 * window in row-major order. out is zeroed here.
 */
export function maxPoolGrad(x: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, top: i32, left: i32, oh: i32, ow: i32, dy: usize, out: usize): void {
  memory.fill(out, 0, <usize>(n * h * w * c) * 4);
  const full = c & ~3;
  const lanes = i32x4(0, 1, 2, 3);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - top;
      const i0 = max(0, y0), i1 = min(h, y0 + kh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - left;
        const j0 = max(0, x0), j1 = min(w, x0 + kw);
        if (i0 >= i1 || j0 >= j1) continue;
        const g = dy + <usize>(((b * oh + oy) * ow + ox) * c) * 4;
        const first = ((b * h + i0) * w + j0) * c;
        for (let k = 0; k < full; k += 4) {
          let best = v128.load(x + <usize>(first + k) * 4);
          let at = i32x4.add(i32x4.splat(first + k), lanes);
          for (let i = i0; i < i1; i++) {
            for (let j = j0; j < j1; j++) {
              const e = ((b * h + i) * w + j) * c + k;
              const v = v128.load(x + <usize>e * 4);
              const m = f32x4.gt(v, best);
              best = v128.bitselect(v, best, m);
              at = v128.bitselect(i32x4.add(i32x4.splat(e), lanes), at, m);
            }
          }
          const gv = v128.load(g + <usize>(k * 4));
          let p = out + <usize>i32x4.extract_lane(at, 0) * 4;
          store<f32>(p, load<f32>(p) + f32x4.extract_lane(gv, 0));
          p = out + <usize>i32x4.extract_lane(at, 1) * 4;
          store<f32>(p, load<f32>(p) + f32x4.extract_lane(gv, 1));
          p = out + <usize>i32x4.extract_lane(at, 2) * 4;
          store<f32>(p, load<f32>(p) + f32x4.extract_lane(gv, 2));
          p = out + <usize>i32x4.extract_lane(at, 3) * 4;
          store<f32>(p, load<f32>(p) + f32x4.extract_lane(gv, 3));
        }
        for (let k = full; k < c; k++) {
          let at = first + k;
          let best = load<f32>(x + <usize>at * 4);
          for (let i = i0; i < i1; i++) {
            for (let j = j0; j < j1; j++) {
              const e = ((b * h + i) * w + j) * c + k;
              const v = load<f32>(x + <usize>e * 4);
              if (v > best) { best = v; at = e; }
            }
          }
          const p = out + <usize>at * 4;
          store<f32>(p, load<f32>(p) + load<f32>(g + <usize>(k * 4)));
        }
      }
    }
  }
}

/**
 * Adam's update in one pass, each operation rounded to float32 in the order of the tensor-op
 * version (lib/train/adam.ts): m' = b1 m + (1 - b1) g, v' = b2 v + (1 - b2) g^2,
 * w' = w - lr ((m' / c1) / (sqrt(v' / c2) + eps)).
 */
export function adam(w: usize, g: usize, m: usize, v: usize, len: i32, lr: f32, b1: f32,
  ob1: f32, b2: f32, ob2: f32, c1: f32, c2: f32, eps: f32, wo: usize, mo: usize, vo: usize): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i * 4;
    const gi = load<f32>(g + o);
    const mi = b1 * load<f32>(m + o) + ob1 * gi;
    const vi = b2 * load<f32>(v + o) + ob2 * (gi * gi);
    const upd = (mi / c1) / (sqrt<f32>(vi / c2) + eps);
    store<f32>(mo + o, mi);
    store<f32>(vo + o, vi);
    store<f32>(wo + o, load<f32>(w + o) - lr * upd);
  }
}
`;

/** The AssemblyScript source of the training kernels (FMA via relaxed SIMD when `fused`). */
export const trainSource = (fused: boolean): string =>
  [1, 2, 3, 4].flatMap((u) => range(VMAX).map((v) => filterGradKernel(u, v + 1, fused))).join(
    "\n\n",
  ) +
  "\n\n" + filterGradDriver() + "\n" + HELPERS + "\n" + LAYER_KERNELS;
