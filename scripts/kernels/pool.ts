/**
 * The max-pool kernel's AssemblyScript source (used by scripts/build_kernels.ts): MTCNN's
 * pools (2x2 and 3x3 windows, stride 2, SAME or VALID) on NHWC float32 maps, 4 channels per
 * vector.
 *
 * @module
 */

/**
 * `maxPool(inp, n, h, w, c, k, s, top, left, ho, wo, out, rowMax)`: each output cell is the
 * largest input value in its k x k window (rows oy * s - top .. + k - 1, clipped to the map, as
 * tfjs's SAME padding leaves out the padded cells). Separable: per output row, the maximum over
 * the window's rows of every input column first (`rowMax`, w * c floats of scratch: contiguous
 * vectors, whatever c is), then over each window's columns. Channels go 4 at a time; a count
 * that is not a multiple of 4 ends with a vector overlapping the one before (the same values
 * written twice), fewer than 4 channels go one at a time. `f32x4.pmax` is x86's maxps (no NaN
 * or -0 fix-ups). A window per cell and vector took 40% longer than tfjs-wasm's on RNet.
 */
export const POOL = `
export function maxPool(inp: usize, n: i32, h: i32, w: i32, c: i32, k: i32, s: i32, top: i32,
  left: i32, ho: i32, wo: i32, out: usize, rowMax: usize): void {
  const px = <usize>(c * 4), row = <usize>(w * c * 4), rowFloats = w * c;
  let op = out;
  for (let b = 0; b < n; b++) {
    const img = inp + <usize>(b * h) * row;
    for (let oy = 0; oy < ho; oy++) {
      const y0 = oy * s - top;
      const ya = max(y0, 0), yb = min(y0 + k, h);
      const first = img + <usize>ya * row;
      if (rowFloats >= 4) {
        const rows = yb - ya, last = <usize>((rowFloats - 4) * 4);
        const r1 = first + row, r2 = first + 2 * row;
        // Whole windows of 3 and 2 rows unrolled (most rows), any other count looped.
        if (rows == 3) {
          for (let at: usize = 0; at < last; at += 16) {
            v128.store(rowMax + at, f32x4.pmax(f32x4.pmax(v128.load(first + at),
              v128.load(r1 + at)), v128.load(r2 + at)));
          }
          v128.store(rowMax + last, f32x4.pmax(f32x4.pmax(v128.load(first + last),
            v128.load(r1 + last)), v128.load(r2 + last)));
        } else if (rows == 2) {
          for (let at: usize = 0; at < last; at += 16) {
            v128.store(rowMax + at, f32x4.pmax(v128.load(first + at), v128.load(r1 + at)));
          }
          v128.store(rowMax + last, f32x4.pmax(v128.load(first + last), v128.load(r1 + last)));
        } else {
          for (let i = 0; i < rowFloats; i += 4) {
            const at = <usize>(min(i, rowFloats - 4) * 4);
            let acc = v128.load(first + at);
            for (let y = ya + 1; y < yb; y++) {
              acc = f32x4.pmax(acc, v128.load(first + <usize>(y - ya) * row + at));
            }
            v128.store(rowMax + at, acc);
          }
        }
      } else {
        for (let i = 0; i < rowFloats; i++) {
          const at = <usize>(i * 4);
          let acc = load<f32>(first + at);
          for (let y = ya + 1; y < yb; y++) {
            const v = load<f32>(first + <usize>(y - ya) * row + at);
            if (v > acc) acc = v;
          }
          store<f32>(rowMax + at, acc);
        }
      }
      for (let ox = 0; ox < wo; ox++) {
        const x0 = ox * s - left;
        const xa = max(x0, 0), xb = min(x0 + k, w);
        const start = rowMax + <usize>xa * px;
        const cols = xb - xa, lastC = <usize>((c - 4) * 4);
        const c1 = start + px, c2 = start + 2 * px;
        if (c >= 4 && cols == 3) {
          for (let at: usize = 0; at < lastC; at += 16) {
            v128.store(op + at, f32x4.pmax(f32x4.pmax(v128.load(start + at),
              v128.load(c1 + at)), v128.load(c2 + at)));
          }
          v128.store(op + lastC, f32x4.pmax(f32x4.pmax(v128.load(start + lastC),
            v128.load(c1 + lastC)), v128.load(c2 + lastC)));
        } else if (c >= 4 && cols == 2) {
          for (let at: usize = 0; at < lastC; at += 16) {
            v128.store(op + at, f32x4.pmax(v128.load(start + at), v128.load(c1 + at)));
          }
          v128.store(op + lastC, f32x4.pmax(v128.load(start + lastC), v128.load(c1 + lastC)));
        } else if (c >= 4) {
          for (let cv = 0; cv < c; cv += 4) {
            const at = <usize>(min(cv, c - 4) * 4);
            let acc = v128.load(start + at);
            for (let x = xa + 1; x < xb; x++) {
              acc = f32x4.pmax(acc, v128.load(start + <usize>(x - xa) * px + at));
            }
            v128.store(op + at, acc);
          }
        } else {
          for (let ch = 0; ch < c; ch++) {
            const at = <usize>(ch * 4);
            let acc = load<f32>(start + at);
            for (let x = xa + 1; x < xb; x++) {
              const v = load<f32>(start + <usize>(x - xa) * px + at);
              if (v > acc) acc = v;
            }
            store<f32>(op + at, acc);
          }
        }
        op += px;
      }
    }
  }
}
`;
