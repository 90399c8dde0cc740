/**
 * The area-resampling kernel's AssemblyScript source (used by scripts/build_kernels.ts): what
 * lib/area_resample.ts's `areaResample` computes, from a copy of the summed-area table (32-bit
 * sums) in the wasm heap, written straight into a tensor there.
 *
 * @module
 */

/**
 * `areaResample(sums, W, H, x0, y0, w, h, outW, outH, out, cols)`: the same operations in the
 * same order as the JS function, so the same float32 bits. The windows' ends are computed in f64
 * with floor / ceil as JS does (integer rectangles only: the glue checks); a window's sum is
 * (d - b) - (c - a) of four 32-bit table entries, exact in wrapping i32 arithmetic because every
 * sum of a Uint32 table fits 32 bits; it goes to f64 (unsigned), then + grey, / area, - 127.5,
 * * 1/128 in f64, then to float32. The three channels of a pixel go as one i32x4 (the table's
 * r, g, b and the next entry, hence 16 bytes of slack after the table) and two f64x2 halves.
 * `cols` is 24 bytes of scratch per output column (window ends as byte offsets, window width and
 * width inside the image as f64). Each pixel stores a whole vector (r, g, b and a float the next
 * pixel overwrites) except the last. 127.5 and 1/128 are made at run time: as constants, binaryen
 * folds them into every use and V8 then builds each vector anew per pixel (15% slower).
 */
export const AREA = `
export function areaResample(sums: usize, W: i32, H: i32, x0: f64, y0: f64, w: f64, h: f64,
  outW: i32, outH: i32, out: usize, cols: usize): void {
  const stride = <usize>(W + 1) * 12;
  const fW = <f64>W, fH = <f64>H, fOutW = <f64>outW, fOutH = <f64>outH;
  for (let j = 0; j < outW; j++) {
    const a = Math.floor((<f64>j * w) / fOutW), b = Math.ceil((<f64>(j + 1) * w) / fOutW);
    const xa = min(max(x0 + a, 0), fW), xb = min(max(x0 + b, 0), fW);
    const c = cols + <usize>j * 24;
    store<i32>(c, <i32>xa * 12);
    store<i32>(c, <i32>xb * 12, 4);
    store<f64>(c, <f64><i32>(b - a), 8);
    store<f64>(c, <f64><i32>(xb - xa), 16);
  }
  // Not constants: binaryen would fold them into every use, V8 then builds each anew.
  const half = fW * 0 + 127.5;
  const mean = f64x2.splat(half), scale = f64x2.splat(half * 0 + 0.0078125);
  let o = out;
  for (let i = 0; i < outH; i++) {
    const ra = y0 + Math.floor((<f64>i * h) / fOutH);
    const rb = y0 + Math.ceil((<f64>(i + 1) * h) / fOutH);
    const ya = min(max(ra, 0), fH), yb = min(max(rb, 0), fH);
    const rowsIn = yb - ya, rowsAll = rb - ra;
    const top = sums + <usize>(<i32>ya) * stride, bottom = sums + <usize>(<i32>yb) * stride;
    const n = i == outH - 1 ? outW - 1 : outW;
    for (let j = 0; j < outW; j++) {
      const c = cols + <usize>j * 24;
      const xa = <usize>load<i32>(c), xb = <usize>load<i32>(c, 4);
      const area = rowsAll * load<f64>(c, 8);
      const grey = (area - rowsIn * load<f64>(c, 16)) * half;
      const s = i32x4.sub(i32x4.sub(v128.load(bottom + xb), v128.load(top + xb)),
        i32x4.sub(v128.load(bottom + xa), v128.load(top + xa)));
      const g = f64x2.splat(grey), ar = f64x2.splat(area);
      const lo = f64x2.mul(f64x2.sub(f64x2.div(f64x2.add(f64x2.convert_low_i32x4_u(s), g), ar), mean), scale);
      const hi = f64x2.mul(f64x2.sub(f64x2.div(f64x2.add(
        f64x2.convert_low_i32x4_u(v128.shuffle<i32>(s, s, 2, 3, 2, 3)), g), ar), mean), scale);
      const lo32 = f32x4.demote_f64x2_zero(lo), hi32 = f32x4.demote_f64x2_zero(hi);
      if (j < n) {
        v128.store(o, v128.shuffle<i64>(lo32, hi32, 0, 2));
      } else {
        v128.store64_lane(o, lo32, 0);
        v128.store32_lane(o + 8, hi32, 0);
      }
      o += 12;
    }
  }
}

/**
 * satRows(rgb, W, r0, r1, table): rows r0 to r1 - 1 (r0 >= 1) of the summed-area table at
 * "table" (32-bit sums, (W + 1) * 3 a row), from the image rows r0 - 1 to r1 - 2 at "rgb"
 * (packed RGB, W * 3 bytes a row, 1 byte of slack after the last) and the table's row r0 - 1: the
 * sums of lib/area_resample.ts's summedAreaTable, in wrapping i32 arithmetic (exact: every entry
 * of a 32-bit table fits). A pixel's r, g, b go as one i32x4 (the fourth lane carries the next
 * pixel's red, and its store the next entry's, which the next pixel overwrites; after a row's
 * last pixel it lands in the next row's first entry, zeroed when that row is built, or in the
 * table's 16 bytes of slack).
 */
export function satRows(rgb: usize, W: i32, r0: i32, r1: i32, table: usize): void {
  const stride = <usize>(W + 1) * 12;
  let src = rgb;
  for (let r = r0; r < r1; r++) {
    const row = table + <usize>r * stride;
    v128.store(row, i32x4.splat(0));
    let a = row - stride + 12, o = row + 12;
    let run = i32x4.splat(0);
    for (let x = 0; x < W; x++) {
      run = i32x4.add(run, i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(src))));
      v128.store(o, i32x4.add(v128.load(a), run));
      src += 3;
      a += 12;
      o += 12;
    }
  }
}
`;
