/**
 * The max-pool kernel's AssemblyScript source (used by scripts/build_kernels.ts): MTCNN's
 * pools (2x2 and 3x3 windows, stride 2, SAME or VALID) on NHWC float32 maps, 4 channels per
 * vector.
 *
 * @module
 */

/**
 * `maxPool(inp, n, h, w, c, k, s, top, left, ho, wo, out)`: each output cell is the largest
 * input value in its k x k window (rows oy * s - top .. + k - 1, clipped to the map, as tfjs's
 * SAME padding leaves out the padded cells). Channels go 4 at a time; a channel count that is
 * not a multiple of 4 ends with a vector overlapping the one before (same values written twice),
 * fewer than 4 channels go one at a time. `f32x4.pmax` is x86's maxps (no NaN or -0 fix-ups).
 */
export const POOL = `
export function maxPool(inp: usize, n: i32, h: i32, w: i32, c: i32, k: i32, s: i32, top: i32,
  left: i32, ho: i32, wo: i32, out: usize): void {
  const px = <usize>(c * 4), row = <usize>(w * c * 4);
  let op = out;
  for (let b = 0; b < n; b++) {
    const img = inp + <usize>(b * h) * row;
    for (let oy = 0; oy < ho; oy++) {
      const y0 = oy * s - top;
      const ya = max(y0, 0), yb = min(y0 + k, h);
      for (let ox = 0; ox < wo; ox++) {
        const x0 = ox * s - left;
        const xa = max(x0, 0), xb = min(x0 + k, w);
        const first = img + <usize>ya * row + <usize>xa * px;
        if (c >= 4) {
          for (let cv = 0; cv < c; cv += 4) {
            const at = <usize>(min(cv, c - 4) * 4);
            let acc = v128.load(first + at);
            for (let y = ya; y < yb; y++) {
              let ip = img + <usize>y * row + <usize>xa * px + at;
              for (let x = xa; x < xb; x++) {
                acc = f32x4.pmax(acc, v128.load(ip));
                ip += px;
              }
            }
            v128.store(op + at, acc);
          }
        } else {
          for (let ch = 0; ch < c; ch++) {
            const at = <usize>(ch * 4);
            let acc = load<f32>(first + at);
            for (let y = ya; y < yb; y++) {
              let ip = img + <usize>y * row + <usize>xa * px + at;
              for (let x = xa; x < xb; x++) {
                const v = load<f32>(ip);
                if (v > acc) acc = v;
                ip += px;
              }
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
