/**
 * The Winograd F(3x3, 3x3) kernels' AssemblyScript source (used by scripts/build_kernels.ts,
 * appended after scripts/kernels/winograd.ts, whose `gemm`, `ld` and `put4` they call): for
 * maps whose outputs are multiples of 3, such as RNet's 9 x 9, where F(4x4, 3x3) would compute
 * 12 x 12 and F(2x2, 3x3) 10 x 10.
 *
 * Interpolation points 0, 1, -1, 2 and infinity (a one-off float32 simulation, numpy, not kept,
 * gave worst errors of 3.6, 5.1, 3.1 and 3.9 eps * sum |x| |w| for 2, -2, 1/2 and -1/2 as the
 * fourth point; 2 keeps B^T in small integers):
 *
 *   B^T = [2 -1 -2 1 0; 0 -2 -1 1 0; 0 2 -3 1 0; 0 -1 0 1 0; 0 2 -1 -2 1]
 *   G   = [1/2 0 0; -1/2 -1/2 -1/2; -1/6 1/6 -1/6; 1/6 1/3 2/3; 0 0 1]
 *   A^T = [1 1 1 1 0; 0 1 -1 2 0; 0 1 1 4 1]
 *
 * @module
 */

/**
 * Winograd F(3x3, 3x3) for 3x3 convolutions: per 3x3 output tile (5x5 input tile), 25 products
 * instead of 81 per channel pair. Same structure as `wino4` (scripts/kernels/winograd4.ts):
 * tiles `TILES3` at a time, transforms in two passes through a small scratch, 25 GEMMs.
 */
export const WINOGRAD3 = `
export const TILES3: i32 = 32;

/** Tiles per batch for a convolution of total tiles: TILES3, fewer if there are fewer. */
export function wino3Batch(total: i32): i32 { return min(TILES3, total); }

/** Bytes between the 25 planes of V and of M (padded off multiples of 4 KiB). */
@inline function planeBytes3(tb: i32, ch: i32): usize { return <usize>((tb * ch + 16) * 4); }

/** Scratch bytes that wino3 needs after the transformed filter for total tiles. */
export function wino3Scratch(ci: i32, coPad: i32, total: i32): i32 {
  const tb = wino3Batch(total);
  return <i32>(25 * planeBytes3(tb, (ci + 3) & ~3) + 25 * planeBytes3(tb, coPad)) + coPad * 4 + 25 * 16;
}

/** The five rows of G x for one column x0 .. x2 of a filter (see G above). */
@inline function g5(o: usize, s: usize, x0: v128, x1: v128, x2: v128): void {
  const ac = f32x4.add(x0, x2);
  v128.store(o, f32x4.mul(x0, f32x4.splat(0.5)));
  v128.store(o + s, f32x4.mul(f32x4.add(ac, x1), f32x4.splat(-0.5)));
  v128.store(o + 2 * s, f32x4.mul(f32x4.sub(ac, x1), f32x4.splat(<f32>(-1.0 / 6))));
  const r3 = f32x4.add(f32x4.add(x0, f32x4.mul(f32x4.splat(2), x1)), f32x4.mul(f32x4.splat(4), x2));
  v128.store(o + 3 * s, f32x4.mul(r3, f32x4.splat(<f32>(1.0 / 6))));
  v128.store(o + 4 * s, x2);
}

/**
 * U[e][ciPad][coPad] = G g G^T for each input / output channel pair (g: HWIO 3x3), 4 output
 * channels per vector; tmp: 15 vectors, then 25 * coPad floats where one input channel's rows are
 * gathered and then copied to the planes (as wino4Filter).
 */
export function wino3Filter(g: usize, ci: i32, co: i32, coPad: i32, u: usize, tmp: usize): void {
  const ciPad = (ci + 3) & ~3;
  const ts = <usize>(ci * co * 4), es = <usize>(ciPad * coPad * 4), row = <usize>(coPad * 4);
  const stage = tmp + 240;
  for (let e = 0; e < 25; e++) {
    memory.fill(u + <usize>e * es + <usize>ci * row, 0, <usize>(ciPad - ci) * row);
  }
  for (let c = 0; c < ci; c++) {
    for (let o = 0; o < coPad; o += 4) {
      const lanes = min(4, co - o);
      const gb = g + <usize>(c * co + o) * 4;
      // G g, column by column, into tmp[i][j] (row i of 5, column j of 3)
      for (let j = 0; j < 3; j++) {
        const p = gb + <usize>j * ts;
        g5(tmp + <usize>(j * 16), 48, ld(p, lanes), ld(p + 3 * ts, lanes), ld(p + 6 * ts, lanes));
      }
      // (G g) G^T, row by row, into the staged rows 5i .. 5i + 4
      const sb = stage + <usize>(o * 4);
      for (let i = 0; i < 5; i++) {
        const q = tmp + <usize>(i * 48);
        g5(sb + <usize>(5 * i) * row, row, v128.load(q), v128.load(q, 16), v128.load(q, 32));
      }
    }
    for (let e = 0; e < 25; e++) {
      const d = u + <usize>e * es + <usize>c * row, f = stage + <usize>e * row;
      for (let x: usize = 0; x < row; x += 16) v128.store(d + x, v128.load(f + x));
    }
  }
}

/** The five rows of B^T x for one column x0 .. x4, stored at o, o + s, .. o + 4s (see B^T above). */
@inline function bt5(o: usize, s: usize, x0: v128, x1: v128, x2: v128, x3: v128, x4: v128): void {
  const two = f32x4.splat(2);
  const u = f32x4.sub(x3, x1), v = f32x4.sub(x3, x2);
  v128.store(o, f32x4.add(f32x4.mul(two, f32x4.sub(x0, x2)), u));
  v128.store(o + s, f32x4.sub(v, f32x4.mul(two, x1)));
  v128.store(o + 2 * s, f32x4.add(f32x4.mul(two, f32x4.sub(x1, x2)), v));
  v128.store(o + 3 * s, u);
  v128.store(o + 4 * s, f32x4.add(f32x4.sub(f32x4.mul(two, f32x4.sub(x1, x3)), x2), x4));
}

/**
 * The convolution itself, tiles of all the batch's images taken TILES3 at a time. scratch: V
 * (25 planes of TILES3 * ciPad), M (25 planes of TILES3 * coPad), zeros (coPad), 25 vectors of
 * transform scratch; u: the filter from wino3Filter; bias and alpha hold coPad values.
 */
export function wino3(inp: usize, n: i32, h: i32, w: i32, ci: i32, u: usize, coPad: i32, co: i32,
  bias: usize, alpha: usize, act: i32, out: usize, scratch: usize, lastLanes: i32): void {
  const ho = h - 2, wo = w - 2;
  const th = (ho + 2) / 3, tw = (wo + 2) / 3;
  const ciPad = (ci + 3) & ~3, full = ci & ~3, tail = ci - full;
  const pxIn = <usize>(ci * 4), pxOut = <usize>(co * 4), rowIn = <usize>w * pxIn;
  const perImage = th * tw, total = n * perImage, tb = wino3Batch(total);
  const vStride = planeBytes3(tb, ciPad), mStride = planeBytes3(tb, coPad);
  const vb = scratch, mb = scratch + 25 * vStride;
  const zeros = mb + 25 * mStride;
  memory.fill(zeros, 0, <usize>(coPad * 4)); // where it lies depends on n: zero it here
  const tmp = zeros + <usize>(coPad * 4);
  for (let t0 = 0; t0 < total; t0 += tb) {
    const tc = min(tb, total - t0);
    let b = t0 / perImage, ty = (t0 % perImage) / tw, tx = (t0 % perImage) % tw;
    for (let t = 0; t < tc; t++) {
      const img = inp + <usize>(b * h * w) * pxIn;
      const y0 = 3 * ty, x0 = 3 * tx;
      const r0 = img + <usize>y0 * rowIn, r1 = img + <usize>min(y0 + 1, h - 1) * rowIn;
      const r2 = img + <usize>min(y0 + 2, h - 1) * rowIn, r3 = img + <usize>min(y0 + 3, h - 1) * rowIn;
      const r4 = img + <usize>min(y0 + 4, h - 1) * rowIn;
      const vt = vb + <usize>(t * ciPad * 4);
      for (let c = 0; c < ciPad; c += 4) {
        const o = <usize>(c * 4);
        const lanes = c < full ? 4 : tail;
        // B^T d, column by column, into tmp[i][j] (row i of 5, column j)
        for (let j = 0; j < 5; j++) {
          const cj = <usize>min(x0 + j, w - 1) * pxIn + o;
          bt5(tmp + <usize>(j * 16), 80,
            ld(r0 + cj, lanes), ld(r1 + cj, lanes), ld(r2 + cj, lanes),
            ld(r3 + cj, lanes), ld(r4 + cj, lanes));
        }
        // (B^T d) B, row by row, into the planes 5i .. 5i + 4
        for (let i = 0; i < 5; i++) {
          const q = tmp + <usize>(i * 80);
          bt5(vt + o + <usize>(5 * i) * vStride, vStride,
            v128.load(q), v128.load(q, 16), v128.load(q, 32), v128.load(q, 48), v128.load(q, 64));
        }
      }
      if (++tx == tw) { tx = 0; if (++ty == th) { ty = 0; b++; } }
    }
    for (let e = 0; e < 25; e++) {
      gemm(vb + <usize>e * vStride, tc, ciPad, u + <usize>(e * ciPad * coPad * 4), coPad, zeros, mb + <usize>e * mStride);
    }
    b = t0 / perImage; ty = (t0 % perImage) / tw; tx = (t0 % perImage) % tw;
    const z = f32x4.splat(0), two = f32x4.splat(2), four = f32x4.splat(4);
    for (let t = 0; t < tc; t++) {
      const y0 = 3 * ty, x0 = 3 * tx;
      const mt = mb + <usize>(t * coPad * 4);
      const ob = out + <usize>((b * ho + y0) * wo + x0) * pxOut;
      const ny = min(3, ho - y0), nx = min(3, wo - x0);
      for (let c = 0; c < coPad; c += 4) {
        const o = <usize>(c * 4);
        const m = mt + o;
        // M A, row by row, into tmp[i][j] (row i of 5, column j of 3)
        for (let i = 0; i < 5; i++) {
          const p = m + <usize>(5 * i) * mStride;
          const m0 = v128.load(p), m1 = v128.load(p + mStride), m2 = v128.load(p + 2 * mStride);
          const m3 = v128.load(p + 3 * mStride), m4 = v128.load(p + 4 * mStride);
          const s12 = f32x4.add(m1, m2);
          const q = tmp + <usize>(i * 48);
          v128.store(q, f32x4.add(f32x4.add(m0, s12), m3));
          v128.store(q, f32x4.add(f32x4.sub(m1, m2), f32x4.mul(two, m3)), 16);
          v128.store(q, f32x4.add(f32x4.add(s12, f32x4.mul(four, m3)), m4), 32);
        }
        const bv = v128.load(bias + o), av = v128.load(alpha + o);
        const lanes = c + 4 <= co ? 4 : lastLanes;
        // A^T (M A), column by column: output column j, rows 0 .. 2
        for (let j = 0; j < nx; j++) {
          const q = tmp + <usize>(j * 16);
          const m0 = v128.load(q), m1 = v128.load(q, 48), m2 = v128.load(q, 96);
          const m3 = v128.load(q, 144), m4 = v128.load(q, 192);
          const s12 = f32x4.add(m1, m2);
          let y0v = f32x4.add(f32x4.add(f32x4.add(m0, s12), m3), bv);
          let y1v = f32x4.add(f32x4.add(f32x4.sub(m1, m2), f32x4.mul(two, m3)), bv);
          let y2v = f32x4.add(f32x4.add(f32x4.add(s12, f32x4.mul(four, m3)), m4), bv);
          if (act) {
            y0v = v128.bitselect(y0v, f32x4.mul(y0v, av), f32x4.ge(y0v, z));
            y1v = v128.bitselect(y1v, f32x4.mul(y1v, av), f32x4.ge(y1v, z));
            y2v = v128.bitselect(y2v, f32x4.mul(y2v, av), f32x4.ge(y2v, z));
          }
          const oj = ob + <usize>j * pxOut + o, rs = <usize>wo * pxOut;
          put4(oj, y0v, lanes);
          if (ny > 1) put4(oj + rs, y1v, lanes);
          if (ny > 2) put4(oj + 2 * rs, y2v, lanes);
        }
      }
      if (++tx == tw) { tx = 0; if (++ty == th) { ty = 0; b++; } }
    }
  }
}
`;
