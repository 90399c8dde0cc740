/**
 * The AssemblyScript source of the training kernels added for PNet's speed (issue 16, session 4;
 * used by scripts/kernels/train.ts): the PReLU passes of the fused convolution + bias + PReLU op,
 * the patches of small outputs (im2col) and their sums back (col2im), and the max-pool gradient
 * where the windows tile the input.
 *
 * @module
 */

/** The kernels' source, appended to the training module's. */
export const LAYER_KERNELS = `
/** lcm(c, 4): floats after which the channel pattern of rows of c channels meets a vector. */
function period(c: i32): i32 {
  return (c & 3) == 0 ? c : (c & 1) == 0 ? 2 * c : 4 * c;
}

/** pat[i] = src[i % c] for i < period(c): a per-channel vector repeated over a period. */
function repeatChannels(src: usize, c: i32, pat: usize): void {
  const p = period(c);
  for (let i = 0; i < p; i += c) memory.copy(pat + <usize>(i * 4), src, <usize>(c * 4));
}

/**
 * PReLU over rows of c channels: y = z >= 0 ? z : z * alpha (the fused op's forward; >= as the
 * fused convolution kernels apply it, so that y is theirs bit for bit, -0 included). The rows
 * are one flat run of vectors, alpha repeated over lcm(c, 4) floats (scratch: that many).
 */
export function preluForward(z: usize, alpha: usize, rows: i32, c: i32, y: usize,
  scratch: usize): void {
  const p = period(c);
  repeatChannels(alpha, c, scratch);
  const total = rows * c, end = total - total % p;
  const zero = f32x4.splat(0);
  for (let base = 0; base < end; base += p) {
    const b = <usize>(base * 4);
    for (let k = 0; k < p; k += 4) {
      const o = b + <usize>(k * 4);
      const zv = v128.load(z + o);
      const a = v128.load(scratch + <usize>(k * 4));
      v128.store(y + o, v128.bitselect(zv, f32x4.mul(zv, a), f32x4.ge(zv, zero)));
    }
  }
  for (let i = end; i < total; i++) {
    const o = <usize>(i * 4);
    const zv = load<f32>(z + o);
    store<f32>(y + o, zv >= 0 ? zv : zv * load<f32>(alpha + <usize>((i % c) * 4)));
  }
}

/**
 * Bias + PReLU's backward pass over rows of c channels, in one pass: dz = z > 0 ? dy : dy * alpha,
 * dbias[c] = sum over rows of dz, dalpha[c] = sum over rows of (z > 0 ? 0 : dy * z). The rows
 * are one flat run of vectors with alpha and the sums repeated over p = lcm(c, 4) floats
 * (scratch: 3p), the p / c partial sums of a channel added at the end, then the rows left over.
 */
export function biasPreluGrad(z: usize, dy: usize, alpha: usize, rows: i32, c: i32, dz: usize,
  dbias: usize, dalpha: usize, scratch: usize): void {
  const p = period(c);
  const pb = <usize>(p * 4);
  const accB = scratch + pb, accA = scratch + 2 * pb;
  repeatChannels(alpha, c, scratch);
  memory.fill(accB, 0, 2 * pb);
  const total = rows * c, end = total - total % p;
  const zero = f32x4.splat(0);
  for (let base = 0; base < end; base += p) {
    const b = <usize>(base * 4);
    for (let k = 0; k < p; k += 4) {
      const o = b + <usize>(k * 4), q = <usize>(k * 4);
      const zv = v128.load(z + o);
      const gv = v128.load(dy + o);
      const pos = f32x4.gt(zv, zero);
      const d = v128.bitselect(gv, f32x4.mul(gv, v128.load(scratch + q)), pos);
      v128.store(dz + o, d);
      v128.store(accB + q, f32x4.add(v128.load(accB + q), d));
      const da = v128.bitselect(zero, f32x4.mul(gv, zv), pos);
      v128.store(accA + q, f32x4.add(v128.load(accA + q), da));
    }
  }
  for (let k = 0; k < c; k++) {
    let sb: f32 = 0, sa: f32 = 0;
    for (let j = k; j < p; j += c) {
      sb += load<f32>(accB + <usize>(j * 4));
      sa += load<f32>(accA + <usize>(j * 4));
    }
    store<f32>(dbias + <usize>(k * 4), sb);
    store<f32>(dalpha + <usize>(k * 4), sa);
  }
  for (let i = end; i < total; i++) {
    const o = <usize>(i * 4), ch = <usize>((i % c) * 4);
    const zv = load<f32>(z + o);
    const gv = load<f32>(dy + o);
    const d = zv > 0 ? gv : gv * load<f32>(alpha + ch);
    store<f32>(dz + o, d);
    store<f32>(dbias + ch, load<f32>(dbias + ch) + d);
    if (!(zv > 0)) store<f32>(dalpha + ch, load<f32>(dalpha + ch) + gv * zv);
  }
}

/**
 * The patches of a stride-1 VALID convolution as rows: cols[(b, y, x), (ky, kx, c)] =
 * x[b, y + ky, x + kx, c], so that the convolution is the product of cols with the filter seen
 * as [kh * kw * ci, co].
 */
export function im2col(x: usize, n: i32, h: i32, w: i32, ci: i32, kh: i32, kw: i32,
  cols: usize): void {
  const oh = h - kh + 1, ow = w - kw + 1;
  const row = <usize>(kw * ci) * 4;
  let dst = cols;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        for (let ky = 0; ky < kh; ky++) {
          memory.copy(dst, x + <usize>(((b * h + y + ky) * w + xo) * ci) * 4, row);
          dst += row;
        }
      }
    }
  }
}

/**
 * The input gradient of a stride-1 VALID convolution from its per-pixel products: cols holds,
 * for each output pixel (b, y, x), the kh * kw * ci values dY[b, y, x, :] . W[ky, kx, c, :];
 * dx[b, y + ky, x + kx, c] is their sum (zeroed here, pixels added in order).
 */
export function col2im(cols: usize, n: i32, oh: i32, ow: i32, kh: i32, kw: i32, ci: i32,
  dx: usize): void {
  const h = oh + kh - 1, w = ow + kw - 1;
  memory.fill(dx, 0, <usize>(n * h * w * ci) * 4);
  const taps = kh * kw * ci;
  const full = ci & ~3;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const src = cols + <usize>(((b * oh + y) * ow + x) * taps) * 4;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const d = dx + <usize>(((b * h + y + ky) * w + x + kx) * ci) * 4;
            const s = src + <usize>((ky * kw + kx) * ci) * 4;
            for (let c = 0; c < full; c += 4) {
              const o = <usize>(c * 4);
              v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(s + o)));
            }
            for (let c = full; c < ci; c++) {
              const o = <usize>(c * 4);
              store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
            }
          }
        }
      }
    }
  }
}

/** Stores the first 1 to 3 lanes of r at q. */
@inline function storeLanes(q: usize, r: v128, lanes: i32): void {
  if (lanes == 1) v128.store32_lane(q, r, 0);
  else {
    v128.store64_lane(q, r, 0);
    if (lanes == 3) v128.store32_lane(q, r, 2, 8);
  }
}

/**
 * The max pool's gradient where the windows tile the input (stride = window, no padding, e.g.
 * PNet's 2x2 / 2 on 10 x 10): every input cell belongs to one window, so each is written once,
 * dy where it is its window's first maximum (the same comparisons as maxPoolGrad), 0 elsewhere;
 * no zeroing and no scatter. Channels go 4 at a time; past the last channel the loads read the
 * next pixel's values (the caller makes sure memory goes that far) and the stores stop at c.
 */
export function maxPoolGradTiled(x: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32,
  dy: usize, out: usize): void {
  const oh = h / kh, ow = w / kw;
  const zero = f32x4.splat(0);
  const last = c & 3;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const first = ((b * h + oy * kh) * w + ox * kw) * c;
        const g = dy + <usize>(((b * oh + oy) * ow + ox) * c) * 4;
        if (kh == 2 && kw == 2) {
          // Unrolled: the first maximum of 4 is the last one that beat the ones before it.
          const p0 = x + <usize>first * 4, p1 = p0 + <usize>(c * 4);
          const p2 = p0 + <usize>(w * c * 4), p3 = p2 + <usize>(c * 4);
          const q0 = out + <usize>first * 4, q1 = q0 + <usize>(c * 4);
          const q2 = q0 + <usize>(w * c * 4), q3 = q2 + <usize>(c * 4);
          for (let k = 0; k < c; k += 4) {
            const o = <usize>(k * 4);
            const v0 = v128.load(p0 + o), v1 = v128.load(p1 + o);
            const v2 = v128.load(p2 + o), v3 = v128.load(p3 + o);
            const m1 = f32x4.gt(v1, v0);
            let best = v128.bitselect(v1, v0, m1);
            const m2 = f32x4.gt(v2, best);
            best = v128.bitselect(v2, best, m2);
            const m3 = f32x4.gt(v3, best);
            const gv = v128.load(g + o);
            const r3 = v128.and(gv, m3);
            const r2 = v128.andnot(v128.and(gv, m2), m3);
            const r1 = v128.andnot(v128.andnot(v128.and(gv, m1), m2), m3);
            const r0 = v128.andnot(gv, v128.or(v128.or(m1, m2), m3));
            if (k + 4 <= c) {
              v128.store(q0 + o, r0);
              v128.store(q1 + o, r1);
              v128.store(q2 + o, r2);
              v128.store(q3 + o, r3);
            } else {
              storeLanes(q0 + o, r0, last);
              storeLanes(q1 + o, r1, last);
              storeLanes(q2 + o, r2, last);
              storeLanes(q3 + o, r3, last);
            }
          }
          continue;
        }
        for (let k = 0; k < c; k += 4) {
          let best = v128.load(x + <usize>(first + k) * 4);
          let at = i32x4.splat(0);
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              if (i == 0 && j == 0) continue;
              const v = v128.load(x + <usize>(first + (i * w + j) * c + k) * 4);
              const m = f32x4.gt(v, best);
              best = v128.bitselect(v, best, m);
              at = v128.bitselect(i32x4.splat(i * kw + j), at, m);
            }
          }
          const gv = v128.load(g + <usize>(k * 4));
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const q = out + <usize>(first + (i * w + j) * c + k) * 4;
              const r = v128.bitselect(gv, zero, i32x4.eq(at, i32x4.splat(i * kw + j)));
              if (k + 4 <= c) v128.store(q, r);
              else storeLanes(q, r, last);
            }
          }
        }
      }
    }
  }
}
`;
