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

import { winogradTileSource } from "./winograd_tiles.ts";

/**
 * Winograd F(3x3, 3x3) for 3x3 convolutions: per 3x3 output tile (5x5 input tile), 25 products
 * instead of 81 per channel pair; the shared structure in scripts/kernels/winograd_tiles.ts.
 */
export const WINOGRAD3: string = winogradTileSource({
  m: 3,
  tilesFor: (n) => `(${n} + 2) / 3`,
  rows: `
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
`,
  constants: "const two = f32x4.splat(2), four = f32x4.splat(4);",
  at: {
    shared: "const s12 = f32x4.add(m1, m2);",
    rows: [
      `f32x4.add(f32x4.add(m0, s12), m3)`,
      `f32x4.add(f32x4.sub(m1, m2), f32x4.mul(two, m3))`,
      `f32x4.add(f32x4.add(s12, f32x4.mul(four, m3)), m4)`,
    ],
  },
});
