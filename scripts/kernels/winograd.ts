/**
 * The Winograd kernels' AssemblyScript source (used by scripts/build_kernels.ts); they call the
 * weight-first direct kernels convw1 .. convw4 for their 16 matrix products.
 *
 * @module
 */

/**
 * Winograd F(2x2, 3x3) for 3x3 convolutions (input channels padded to a multiple of 4): per 2x2 output
 * tile, 16 products instead of 36 per channel pair. Tiles are done `TILES` at a time along a tile
 * row: input transform (B^T d B, 4 channels per vector), 16 GEMMs by the conv kernels above
 * (1x1, no bias), output transform (A^T M A) with bias and PReLU.
 */
export const WINOGRAD = `
export const TILES: i32 = 64;

/** Bytes between the 16 planes of V and of M: padded off multiples of 4 KiB (cache aliasing). */
@inline function planeBytes(ch: i32): usize { return <usize>((TILES * ch + 16) * 4); }

/** Scratch bytes that wino needs after the transformed filter. */
export function winoScratch(ci: i32, coPad: i32): i32 {
  return <i32>(16 * planeBytes((ci + 3) & ~3) + 16 * planeBytes(coPad)) + coPad * 4;
}

@inline function gemm(a: usize, rows: i32, k: i32, b: usize, coPad: i32, zeros: usize, c: usize): void {
  let left = coPad >> 2, c0 = 0;
  while (left > 0) {
    const v = left > 4 ? 3 : left;
    if (v == 1) convw1(a, 1, 1, rows, k, 1, 1, b, coPad, c0, zeros, zeros, 0, c, coPad, 4);
    else if (v == 2) convw2(a, 1, 1, rows, k, 1, 1, b, coPad, c0, zeros, zeros, 0, c, coPad, 4);
    else if (v == 3) convw3(a, 1, 1, rows, k, 1, 1, b, coPad, c0, zeros, zeros, 0, c, coPad, 4);
    else convw4(a, 1, 1, rows, k, 1, 1, b, coPad, c0, zeros, zeros, 0, c, coPad, 4);
    c0 += 4 * v;
    left -= v;
  }
}

/** U[e][ciPad][coPad] = G g G^T for each input / output channel pair (g: HWIO 3x3). */
export function winoFilter(g: usize, ci: i32, co: i32, coPad: i32, u: usize): void {
  const ciPad = (ci + 3) & ~3;
  memory.fill(u, 0, <usize>(16 * ciPad * coPad * 4));
  for (let c = 0; c < ci; c++) {
    for (let o = 0; o < co; o++) {
      const gb = g + <usize>(c * co + o) * 4, ts = <usize>(ci * co * 4);
      // rows of G g
      const r00 = load<f32>(gb), r01 = load<f32>(gb + ts), r02 = load<f32>(gb + 2 * ts);
      const s0 = load<f32>(gb + 3 * ts), s1 = load<f32>(gb + 4 * ts), s2 = load<f32>(gb + 5 * ts);
      const t0 = load<f32>(gb + 6 * ts), t1 = load<f32>(gb + 7 * ts), t2 = load<f32>(gb + 8 * ts);
      const r10 = (r00 + s0 + t0) * 0.5, r11 = (r01 + s1 + t1) * 0.5, r12 = (r02 + s2 + t2) * 0.5;
      const r20 = (r00 - s0 + t0) * 0.5, r21 = (r01 - s1 + t1) * 0.5, r22 = (r02 - s2 + t2) * 0.5;
      const r30 = t0, r31 = t1, r32 = t2;
      const ub = u + <usize>(c * coPad + o) * 4, es = <usize>(ciPad * coPad * 4);
      store<f32>(ub, r00); store<f32>(ub + es, (r00 + r01 + r02) * 0.5);
      store<f32>(ub + 2 * es, (r00 - r01 + r02) * 0.5); store<f32>(ub + 3 * es, r02);
      store<f32>(ub + 4 * es, r10); store<f32>(ub + 5 * es, (r10 + r11 + r12) * 0.5);
      store<f32>(ub + 6 * es, (r10 - r11 + r12) * 0.5); store<f32>(ub + 7 * es, r12);
      store<f32>(ub + 8 * es, r20); store<f32>(ub + 9 * es, (r20 + r21 + r22) * 0.5);
      store<f32>(ub + 10 * es, (r20 - r21 + r22) * 0.5); store<f32>(ub + 11 * es, r22);
      store<f32>(ub + 12 * es, r30); store<f32>(ub + 13 * es, (r30 + r31 + r32) * 0.5);
      store<f32>(ub + 14 * es, (r30 - r31 + r32) * 0.5); store<f32>(ub + 15 * es, r32);
    }
  }
}

/** Loads the first "lanes" (1 to 4) floats, zeros in the other lanes. */
@inline function ld(p: usize, lanes: i32): v128 {
  if (lanes == 4) return v128.load(p);
  if (lanes == 1) return v128.load32_zero(p);
  const v = v128.load64_zero(p);
  return lanes == 2 ? v : v128.load32_lane(p + 8, v, 2);
}

/** V = B^T d B for one 4x4 input tile (rows a, b, d, e), stored as 16 planes. */
@inline function inTransform(vo: usize, vs: usize,
  a0: v128, a1: v128, a2: v128, a3: v128, b0: v128, b1: v128, b2: v128, b3: v128,
  d0: v128, d1: v128, d2: v128, d3: v128, e0: v128, e1: v128, e2: v128, e3: v128): void {
  const p0 = f32x4.sub(a0, d0), p1 = f32x4.sub(a1, d1), p2 = f32x4.sub(a2, d2), p3 = f32x4.sub(a3, d3);
  const q0 = f32x4.add(b0, d0), q1 = f32x4.add(b1, d1), q2 = f32x4.add(b2, d2), q3 = f32x4.add(b3, d3);
  const r0 = f32x4.sub(d0, b0), r1 = f32x4.sub(d1, b1), r2 = f32x4.sub(d2, b2), r3 = f32x4.sub(d3, b3);
  const s0 = f32x4.sub(b0, e0), s1 = f32x4.sub(b1, e1), s2 = f32x4.sub(b2, e2), s3 = f32x4.sub(b3, e3);
  v128.store(vo, f32x4.sub(p0, p2)); v128.store(vo + vs, f32x4.add(p1, p2));
  v128.store(vo + 2 * vs, f32x4.sub(p2, p1)); v128.store(vo + 3 * vs, f32x4.sub(p1, p3));
  v128.store(vo + 4 * vs, f32x4.sub(q0, q2)); v128.store(vo + 5 * vs, f32x4.add(q1, q2));
  v128.store(vo + 6 * vs, f32x4.sub(q2, q1)); v128.store(vo + 7 * vs, f32x4.sub(q1, q3));
  v128.store(vo + 8 * vs, f32x4.sub(r0, r2)); v128.store(vo + 9 * vs, f32x4.add(r1, r2));
  v128.store(vo + 10 * vs, f32x4.sub(r2, r1)); v128.store(vo + 11 * vs, f32x4.sub(r1, r3));
  v128.store(vo + 12 * vs, f32x4.sub(s0, s2)); v128.store(vo + 13 * vs, f32x4.add(s1, s2));
  v128.store(vo + 14 * vs, f32x4.sub(s2, s1)); v128.store(vo + 15 * vs, f32x4.sub(s1, s3));
}

/**
 * The convolution itself, tiles of all the batch's images taken TILES at a time. scratch: V
 * (16 planes of TILES * ciPad), M (16 planes of TILES * coPad), zeros (coPad); u: the filter
 * from winoFilter; bias and alpha hold coPad values.
 */
export function wino(inp: usize, n: i32, h: i32, w: i32, ci: i32, u: usize, coPad: i32, co: i32,
  bias: usize, alpha: usize, act: i32, out: usize, scratch: usize, lastLanes: i32): void {
  const ho = h - 2, wo = w - 2;
  const th = (ho + 1) >> 1, tw = (wo + 1) >> 1;
  const ciPad = (ci + 3) & ~3, full = ci & ~3, tail = ci - full;
  const pxIn = <usize>(ci * 4), pxOut = <usize>(co * 4);
  const vStride = planeBytes(ciPad), mStride = planeBytes(coPad);
  const vb = scratch, mb = scratch + 16 * vStride;
  const zeros = mb + 16 * mStride;
  const perImage = th * tw, total = n * perImage;
  for (let t0 = 0; t0 < total; t0 += TILES) {
    const tc = min(TILES, total - t0);
    let b = t0 / perImage, ty = (t0 % perImage) / tw, tx = (t0 % perImage) % tw;
    for (let t = 0; t < tc; t++) {
      const img = inp + <usize>(b * h * w) * pxIn;
      const y0 = 2 * ty, x0 = 2 * tx;
      const row0 = img + <usize>(y0 * w) * pxIn, row1 = row0 + <usize>w * pxIn;
      const row2 = row1 + <usize>w * pxIn;
      const row3 = img + <usize>(min(y0 + 3, h - 1) * w) * pxIn;
      const c0 = <usize>x0 * pxIn, c1 = c0 + pxIn, c2 = c1 + pxIn;
      const c3 = <usize>min(x0 + 3, w - 1) * pxIn;
      const vt = vb + <usize>(t * ciPad * 4);
      for (let c = 0; c < full; c += 4) {
        const o = <usize>(c * 4);
        inTransform(vt + o, vStride,
          v128.load(row0 + c0 + o), v128.load(row0 + c1 + o), v128.load(row0 + c2 + o), v128.load(row0 + c3 + o),
          v128.load(row1 + c0 + o), v128.load(row1 + c1 + o), v128.load(row1 + c2 + o), v128.load(row1 + c3 + o),
          v128.load(row2 + c0 + o), v128.load(row2 + c1 + o), v128.load(row2 + c2 + o), v128.load(row2 + c3 + o),
          v128.load(row3 + c0 + o), v128.load(row3 + c1 + o), v128.load(row3 + c2 + o), v128.load(row3 + c3 + o));
      }
      if (tail) {
        const o = <usize>(full * 4);
        inTransform(vt + o, vStride,
          ld(row0 + c0 + o, tail), ld(row0 + c1 + o, tail), ld(row0 + c2 + o, tail), ld(row0 + c3 + o, tail),
          ld(row1 + c0 + o, tail), ld(row1 + c1 + o, tail), ld(row1 + c2 + o, tail), ld(row1 + c3 + o, tail),
          ld(row2 + c0 + o, tail), ld(row2 + c1 + o, tail), ld(row2 + c2 + o, tail), ld(row2 + c3 + o, tail),
          ld(row3 + c0 + o, tail), ld(row3 + c1 + o, tail), ld(row3 + c2 + o, tail), ld(row3 + c3 + o, tail));
      }
      if (++tx == tw) { tx = 0; if (++ty == th) { ty = 0; b++; } }
    }
    for (let e = 0; e < 16; e++) {
      gemm(vb + <usize>e * vStride, tc, ciPad, u + <usize>(e * ciPad * coPad * 4), coPad, zeros, mb + <usize>e * mStride);
    }
    b = t0 / perImage; ty = (t0 % perImage) / tw; tx = (t0 % perImage) % tw;
    for (let t = 0; t < tc; t++) {
      const y0 = 2 * ty, x0 = 2 * tx;
      const y1ok = y0 + 1 < ho, x1ok = x0 + 1 < wo;
      const mt = mb + <usize>(t * coPad * 4);
      const o00 = out + <usize>((b * ho + y0) * wo + x0) * pxOut;
      const o10 = o00 + <usize>wo * pxOut;
      for (let c = 0; c < coPad; c += 4) {
        const o = <usize>(c * 4);
        const m = mt + o;
        const m0 = v128.load(m), m1 = v128.load(m + mStride), m2 = v128.load(m + 2 * mStride), m3 = v128.load(m + 3 * mStride);
        const m4 = v128.load(m + 4 * mStride), m5 = v128.load(m + 5 * mStride), m6 = v128.load(m + 6 * mStride), m7 = v128.load(m + 7 * mStride);
        const m8 = v128.load(m + 8 * mStride), m9 = v128.load(m + 9 * mStride), m10 = v128.load(m + 10 * mStride), m11 = v128.load(m + 11 * mStride);
        const m12 = v128.load(m + 12 * mStride), m13 = v128.load(m + 13 * mStride), m14 = v128.load(m + 14 * mStride), m15 = v128.load(m + 15 * mStride);
        // A^T M: row sums
        const u0 = f32x4.add(f32x4.add(m0, m4), m8), u1 = f32x4.add(f32x4.add(m1, m5), m9);
        const u2 = f32x4.add(f32x4.add(m2, m6), m10), u3 = f32x4.add(f32x4.add(m3, m7), m11);
        const w0 = f32x4.sub(f32x4.sub(m4, m8), m12), w1 = f32x4.sub(f32x4.sub(m5, m9), m13);
        const w2 = f32x4.sub(f32x4.sub(m6, m10), m14), w3 = f32x4.sub(f32x4.sub(m7, m11), m15);
        const bv = v128.load(bias + o), av = v128.load(alpha + o);
        let y00 = f32x4.add(f32x4.add(f32x4.add(u0, u1), u2), bv);
        let y01 = f32x4.add(f32x4.sub(f32x4.sub(u1, u2), u3), bv);
        let y10 = f32x4.add(f32x4.add(f32x4.add(w0, w1), w2), bv);
        let y11 = f32x4.add(f32x4.sub(f32x4.sub(w1, w2), w3), bv);
        if (act) {
          const z = f32x4.splat(0);
          y00 = v128.bitselect(y00, f32x4.mul(y00, av), f32x4.ge(y00, z));
          y01 = v128.bitselect(y01, f32x4.mul(y01, av), f32x4.ge(y01, z));
          y10 = v128.bitselect(y10, f32x4.mul(y10, av), f32x4.ge(y10, z));
          y11 = v128.bitselect(y11, f32x4.mul(y11, av), f32x4.ge(y11, z));
        }
        const lanes = c + 4 <= co ? 4 : lastLanes;
        put4(o00 + o, y00, lanes);
        if (x1ok) put4(o00 + pxOut + o, y01, lanes);
        if (y1ok) {
          put4(o10 + o, y10, lanes);
          if (x1ok) put4(o10 + pxOut + o, y11, lanes);
        }
      }
      if (++tx == tw) { tx = 0; if (++ty == th) { ty = 0; b++; } }
    }
  }
}

@inline function put4(q: usize, r: v128, lanes: i32): void {
  if (lanes == 4) v128.store(q, r);
  else if (lanes == 1) v128.store32_lane(q, r, 0);
  else {
    v128.store64_lane(q, r, 0);
    if (lanes == 3) v128.store32_lane(q, r, 2, 8);
  }
}
`;
