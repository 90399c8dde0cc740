/**
 * The Winograd F(4x4, 3x3) kernels' AssemblyScript source (used by scripts/build_kernels.ts,
 * appended after scripts/kernels/winograd.ts, whose `gemm`, `ld` and `put4` they call).
 *
 * Interpolation points 0, 1, -1, 1/2, -2 and infinity. The common choice 0, ±1, ±2 (Lavin and
 * Gray) gave twice the error here: 20 against 10 eps * sum |x| |w| at worst on MTCNN's layers
 * (tests/winograd4_test.ts), and failed tests/wasm_conv_test.ts's 1e-4 on ONet's conv2. Mixing
 * 2 and 1/2 is better conditioned (point choice: Barabasz et al., "Error analysis and improving
 * the accuracy of Winograd convolution for deep neural networks", arXiv:1803.10986); a one-off
 * float32 simulation (numpy, not kept) of {0, ±1} with {2, -2}, {1/2, -1/2}, {1/2, -2} or
 * {2, -1/2} gave worst errors of 10.9, 11.5, 4.9 and 4.9 eps * sum |x| |w| over 300 tiles.
 * All entries are exact in binary except G's thirds and fifteenths:
 *
 *   B^T = [1 -3/2 -2  3/2 1 0; 0 -1 1/2 5/2 1 0; 0 1 -5/2 1/2 1 0;
 *          0 -2 -1 2 1 0; 0 1/2 -1 -1/2 1 0; 0 1 -3/2 -2 3/2 1]
 *   G   = [1 0 0; 1/3 1/3 1/3; -1/3 1/3 -1/3; -16/15 -8/15 -4/15; 1/15 -2/15 4/15; 0 0 1]
 *   A^T = [1 1 1 1 1 0; 0 1 -1 1/2 -2 0; 0 1 1 1/4 4 0; 0 1 -1 1/8 -8 1]
 *
 * The filter transform runs in f32, 4 output channels per vector.
 *
 * @module
 */

/**
 * Winograd F(4x4, 3x3) for 3x3 convolutions: per 4x4 output tile (6x6 input tile), 36 products
 * instead of 144 per channel pair (F(2x2, 3x3): 64 per 4x4 outputs). Tiles are done `TILES4` at a
 * time: input transform (B^T d B, 4 channels per vector, in two passes through a 36-vector
 * scratch), 36 GEMMs by the weight-first direct kernels, output transform (A^T M A) with bias and
 * PReLU. Outputs past the map's edge are computed from clamped input and not stored.
 */
export const WINOGRAD4 = `
export const TILES4: i32 = 32;

/** Tiles per batch for a convolution of total tiles: TILES4, fewer if there are fewer. */
export function wino4Batch(total: i32): i32 { return min(TILES4, total); }

/** Bytes between the 36 planes of V and of M: padded off multiples of 4 KiB (cache aliasing). */
@inline function planeBytes4(tb: i32, ch: i32): usize { return <usize>((tb * ch + 16) * 4); }

/**
 * Scratch bytes that wino4 needs after the transformed filter for total tiles (sized by the
 * batch: small maps get small scratch).
 */
export function wino4Scratch(ci: i32, coPad: i32, total: i32): i32 {
  const tb = wino4Batch(total);
  return <i32>(36 * planeBytes4(tb, (ci + 3) & ~3) + 36 * planeBytes4(tb, coPad)) + coPad * 4 + 36 * 16;
}

/** The six rows of G x for one column x0 .. x2 of a filter (see G above). */
@inline function g6(o: usize, s: usize, x0: v128, x1: v128, x2: v128): void {
  const ac = f32x4.add(x0, x2);
  const two = f32x4.splat(2), four = f32x4.splat(4);
  v128.store(o, x0);
  v128.store(o + s, f32x4.mul(f32x4.add(ac, x1), f32x4.splat(<f32>(1.0 / 3))));
  v128.store(o + 2 * s, f32x4.mul(f32x4.sub(ac, x1), f32x4.splat(<f32>(-1.0 / 3))));
  const r3 = f32x4.add(f32x4.add(f32x4.mul(four, x0), f32x4.mul(two, x1)), x2);
  v128.store(o + 3 * s, f32x4.mul(r3, f32x4.splat(<f32>(-4.0 / 15))));
  const r4 = f32x4.add(f32x4.sub(x0, f32x4.mul(two, x1)), f32x4.mul(four, x2));
  v128.store(o + 4 * s, f32x4.mul(r4, f32x4.splat(<f32>(1.0 / 15))));
  v128.store(o + 5 * s, x2);
}

/**
 * U[e][ciPad][coPad] = G g G^T for each input / output channel pair (g: HWIO 3x3), 4 output
 * channels per vector. tmp: 18 vectors, then 36 * coPad floats where one input channel's 36 rows
 * are gathered and then copied to the planes (storing straight to planes whose stride is a
 * multiple of 4 KiB, e.g. 64 x 64 channels, thrashed the cache: 2.5x slower).
 */
export function wino4Filter(g: usize, ci: i32, co: i32, coPad: i32, u: usize, tmp: usize): void {
  const ciPad = (ci + 3) & ~3;
  const ts = <usize>(ci * co * 4), es = <usize>(ciPad * coPad * 4), row = <usize>(coPad * 4);
  const stage = tmp + 288;
  for (let e = 0; e < 36; e++) {
    memory.fill(u + <usize>e * es + <usize>ci * row, 0, <usize>(ciPad - ci) * row);
  }
  for (let c = 0; c < ci; c++) {
    for (let o = 0; o < coPad; o += 4) {
      const lanes = min(4, co - o);
      const gb = g + <usize>(c * co + o) * 4;
      // G g, column by column, into tmp[i][j] (row i of 6, column j of 3)
      for (let j = 0; j < 3; j++) {
        const p = gb + <usize>j * ts;
        g6(tmp + <usize>(j * 16), 48, ld(p, lanes), ld(p + 3 * ts, lanes), ld(p + 6 * ts, lanes));
      }
      // (G g) G^T, row by row, into the staged rows 6i .. 6i + 5
      const sb = stage + <usize>(o * 4);
      for (let i = 0; i < 6; i++) {
        const q = tmp + <usize>(i * 48);
        g6(sb + <usize>(6 * i) * row, row, v128.load(q), v128.load(q, 16), v128.load(q, 32));
      }
    }
    for (let e = 0; e < 36; e++) {
      const d = u + <usize>e * es + <usize>c * row, f = stage + <usize>e * row;
      for (let x: usize = 0; x < row; x += 16) v128.store(d + x, v128.load(f + x));
    }
  }
}

/** The six rows of B^T x for one column x0 .. x5, stored at o, o + s, .. o + 5s (see B^T above). */
@inline function bt6(o: usize, s: usize, x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128): void {
  const half = f32x4.splat(0.5), one5 = f32x4.splat(1.5), two = f32x4.splat(2), two5 = f32x4.splat(2.5);
  const t = f32x4.sub(x4, x2), u = f32x4.sub(x3, x1);
  const p = f32x4.mul(one5, f32x4.add(x1, x2)), q = f32x4.mul(one5, f32x4.sub(x1, x2));
  v128.store(o, f32x4.add(f32x4.add(f32x4.sub(x0, x2), t), f32x4.mul(one5, u)));
  v128.store(o + s, f32x4.add(f32x4.add(t, f32x4.mul(two5, u)), p));
  v128.store(o + 2 * s, f32x4.add(f32x4.add(t, f32x4.mul(half, u)), q));
  v128.store(o + 3 * s, f32x4.add(t, f32x4.mul(two, u)));
  v128.store(o + 4 * s, f32x4.sub(t, f32x4.mul(half, u)));
  v128.store(o + 5 * s, f32x4.add(f32x4.sub(f32x4.sub(x5, x3), u), f32x4.mul(one5, t)));
}

/**
 * The convolution itself, tiles of all the batch's images taken TILES4 at a time. scratch: V
 * (36 planes of TILES4 * ciPad), M (36 planes of TILES4 * coPad), zeros (coPad), 36 vectors of
 * transform scratch; u: the filter from wino4Filter; bias and alpha hold coPad values.
 */
export function wino4(inp: usize, n: i32, h: i32, w: i32, ci: i32, u: usize, coPad: i32, co: i32,
  bias: usize, alpha: usize, act: i32, out: usize, scratch: usize, lastLanes: i32): void {
  const ho = h - 2, wo = w - 2;
  const th = (ho + 3) >> 2, tw = (wo + 3) >> 2;
  const ciPad = (ci + 3) & ~3, full = ci & ~3, tail = ci - full;
  const pxIn = <usize>(ci * 4), pxOut = <usize>(co * 4), rowIn = <usize>w * pxIn;
  const perImage = th * tw, total = n * perImage, tb = wino4Batch(total);
  const vStride = planeBytes4(tb, ciPad), mStride = planeBytes4(tb, coPad);
  const vb = scratch, mb = scratch + 36 * vStride;
  const zeros = mb + 36 * mStride;
  memory.fill(zeros, 0, <usize>(coPad * 4)); // where it lies depends on n: zero it here
  const tmp = zeros + <usize>(coPad * 4);
  for (let t0 = 0; t0 < total; t0 += tb) {
    const tc = min(tb, total - t0);
    let b = t0 / perImage, ty = (t0 % perImage) / tw, tx = (t0 % perImage) % tw;
    for (let t = 0; t < tc; t++) {
      const img = inp + <usize>(b * h * w) * pxIn;
      const y0 = 4 * ty, x0 = 4 * tx;
      const r0 = img + <usize>y0 * rowIn, r1 = img + <usize>min(y0 + 1, h - 1) * rowIn;
      const r2 = img + <usize>min(y0 + 2, h - 1) * rowIn, r3 = img + <usize>min(y0 + 3, h - 1) * rowIn;
      const r4 = img + <usize>min(y0 + 4, h - 1) * rowIn, r5 = img + <usize>min(y0 + 5, h - 1) * rowIn;
      const vt = vb + <usize>(t * ciPad * 4);
      for (let c = 0; c < ciPad; c += 4) {
        const o = <usize>(c * 4);
        const lanes = c < full ? 4 : tail;
        // B^T d, column by column, into tmp[i][j] (row i of 6, column j)
        for (let j = 0; j < 6; j++) {
          const cj = <usize>min(x0 + j, w - 1) * pxIn + o;
          bt6(tmp + <usize>(j * 16), 96,
            ld(r0 + cj, lanes), ld(r1 + cj, lanes), ld(r2 + cj, lanes),
            ld(r3 + cj, lanes), ld(r4 + cj, lanes), ld(r5 + cj, lanes));
        }
        // (B^T d) B, row by row, into the planes 6i .. 6i + 5
        for (let i = 0; i < 6; i++) {
          const q = tmp + <usize>(i * 96);
          bt6(vt + o + <usize>(6 * i) * vStride, vStride,
            v128.load(q), v128.load(q, 16), v128.load(q, 32),
            v128.load(q, 48), v128.load(q, 64), v128.load(q, 80));
        }
      }
      if (++tx == tw) { tx = 0; if (++ty == th) { ty = 0; b++; } }
    }
    for (let e = 0; e < 36; e++) {
      gemm(vb + <usize>e * vStride, tc, ciPad, u + <usize>(e * ciPad * coPad * 4), coPad, zeros, mb + <usize>e * mStride);
    }
    b = t0 / perImage; ty = (t0 % perImage) / tw; tx = (t0 % perImage) % tw;
    const z = f32x4.splat(0);
    const half = f32x4.splat(0.5), quarter = f32x4.splat(0.25), eighth = f32x4.splat(0.125);
    const two = f32x4.splat(2), four = f32x4.splat(4), eight = f32x4.splat(8);
    for (let t = 0; t < tc; t++) {
      const y0 = 4 * ty, x0 = 4 * tx;
      const mt = mb + <usize>(t * coPad * 4);
      const ob = out + <usize>((b * ho + y0) * wo + x0) * pxOut;
      const ny = min(4, ho - y0), nx = min(4, wo - x0);
      for (let c = 0; c < coPad; c += 4) {
        const o = <usize>(c * 4);
        const m = mt + o;
        // M A, row by row, into tmp[i][j] (row i of 6, column j of 4)
        for (let i = 0; i < 6; i++) {
          const p = m + <usize>(6 * i) * mStride;
          const m0 = v128.load(p), m1 = v128.load(p + mStride), m2 = v128.load(p + 2 * mStride);
          const m3 = v128.load(p + 3 * mStride), m4 = v128.load(p + 4 * mStride), m5 = v128.load(p + 5 * mStride);
          const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2);
          const q = tmp + <usize>(i * 64);
          v128.store(q, f32x4.add(f32x4.add(m0, s12), f32x4.add(m3, m4)));
          v128.store(q, f32x4.add(d12, f32x4.sub(f32x4.mul(half, m3), f32x4.mul(two, m4))), 16);
          v128.store(q, f32x4.add(s12, f32x4.add(f32x4.mul(quarter, m3), f32x4.mul(four, m4))), 32);
          v128.store(q, f32x4.add(f32x4.add(d12, f32x4.sub(f32x4.mul(eighth, m3), f32x4.mul(eight, m4))), m5), 48);
        }
        const bv = v128.load(bias + o), av = v128.load(alpha + o);
        const lanes = c + 4 <= co ? 4 : lastLanes;
        // A^T (M A), column by column: output column j, rows 0 .. 3
        for (let j = 0; j < nx; j++) {
          const q = tmp + <usize>(j * 16);
          const m0 = v128.load(q), m1 = v128.load(q, 64), m2 = v128.load(q, 128);
          const m3 = v128.load(q, 192), m4 = v128.load(q, 256), m5 = v128.load(q, 320);
          const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2);
          let y0v = f32x4.add(f32x4.add(f32x4.add(m0, s12), f32x4.add(m3, m4)), bv);
          let y1v = f32x4.add(f32x4.add(d12, f32x4.sub(f32x4.mul(half, m3), f32x4.mul(two, m4))), bv);
          let y2v = f32x4.add(f32x4.add(s12, f32x4.add(f32x4.mul(quarter, m3), f32x4.mul(four, m4))), bv);
          let y3v = f32x4.add(f32x4.add(f32x4.add(d12, f32x4.sub(f32x4.mul(eighth, m3), f32x4.mul(eight, m4))), m5), bv);
          if (act) {
            y0v = v128.bitselect(y0v, f32x4.mul(y0v, av), f32x4.ge(y0v, z));
            y1v = v128.bitselect(y1v, f32x4.mul(y1v, av), f32x4.ge(y1v, z));
            y2v = v128.bitselect(y2v, f32x4.mul(y2v, av), f32x4.ge(y2v, z));
            y3v = v128.bitselect(y3v, f32x4.mul(y3v, av), f32x4.ge(y3v, z));
          }
          const oj = ob + <usize>j * pxOut + o, rs = <usize>wo * pxOut;
          put4(oj, y0v, lanes);
          if (ny > 1) put4(oj + rs, y1v, lanes);
          if (ny > 2) put4(oj + 2 * rs, y2v, lanes);
          if (ny > 3) put4(oj + 3 * rs, y3v, lanes);
        }
      }
      if (++tx == tw) { tx = 0; if (++ty == th) { ty = 0; b++; } }
    }
  }
}
`;
