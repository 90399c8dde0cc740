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

import { winogradTileSource } from "./winograd_tiles.ts";

/**
 * Winograd F(4x4, 3x3) for 3x3 convolutions: per 4x4 output tile (6x6 input tile), 36 products
 * instead of 144 per channel pair (F(2x2, 3x3): 64 per 4x4 outputs). Tiles are done `TILES4` at a
 * time: input transform (B^T d B, 4 channels per vector, in two passes through a 36-vector
 * scratch), 36 GEMMs by the weight-first direct kernels, output transform (A^T M A) with bias and
 * PReLU. Outputs past the map's edge are computed from clamped input and not stored.
 */
export const WINOGRAD4: string = winogradTileSource({
  m: 4,
  tilesFor: (n) => `(${n} + 3) >> 2`,
  rows: `
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
`,
  constants:
    "const half = f32x4.splat(0.5), quarter = f32x4.splat(0.25), eighth = f32x4.splat(0.125), two = f32x4.splat(2), four = f32x4.splat(4), eight = f32x4.splat(8);",
  at: {
    shared: "const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2);",
    rows: [
      `f32x4.add(f32x4.add(m0, s12), f32x4.add(m3, m4))`,
      `f32x4.add(d12, f32x4.sub(f32x4.mul(half, m3), f32x4.mul(two, m4)))`,
      `f32x4.add(s12, f32x4.add(f32x4.mul(quarter, m3), f32x4.mul(four, m4)))`,
      `f32x4.add(f32x4.add(d12, f32x4.sub(f32x4.mul(eighth, m3), f32x4.mul(eight, m4))), m5)`,
    ],
  },
});
