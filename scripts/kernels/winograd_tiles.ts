/**
 * The AssemblyScript source shared by the larger Winograd tiles F(m x m, 3x3), m = 3 and 4
 * (scripts/kernels/winograd3.ts, winograd4.ts): tile batches and their scratch, the filter
 * transform staged per input channel, and the convolution (input transform in two passes through a
 * small scratch, e = (m + 2)^2 GEMMs by `gemm` of scripts/kernels/winograd.ts, output transform
 * with bias and PReLU). Each tile size brings only its matrices: the rows of G and B^T as inline
 * functions, and the rows of A^T.
 *
 * @module
 */

/** What one tile size F(m x m, 3x3) brings to {@linkcode winogradTileSource}. */
export interface WinogradTile {
  /** Output tile side: 3 or 4. */
  readonly m: 3 | 4;
  /** Tiles per side for `n` outputs (an AssemblyScript expression). */
  readonly tilesFor: (n: string) => string;
  /**
   * The inline functions `g{m+2}(o, s, x0, x1, x2)` (the m + 2 rows of G x, stored at o, o + s,
   * ..) and `bt{m+2}(o, s, x0 .. x{m+1})` (the rows of B^T x).
   */
  readonly rows: string;
  /** Constants the output transform uses (declared once per tile batch). */
  readonly constants: string;
  /**
   * The output transform's rows: from `m0 .. m{m+1}` (declared before), the lines that declare
   * what the rows share and the m expressions of A^T's rows.
   */
  readonly at: { readonly shared: string; readonly rows: readonly string[] };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The AssemblyScript source of `wino{m}Batch`, `wino{m}Scratch`, `wino{m}Filter` and `wino{m}`. */
export const winogradTileSource = (t: WinogradTile): string => {
  const { m } = t;
  const a = m + 2, e = a * a, name = `wino${m}`, tiles = `TILES${m}`, planes = `planeBytes${m}`;
  const g = `g${a}`, bt = `bt${a}`;
  const rowsOf = (f: (k: number) => string, sep = ", ") => range(a).map(f).join(sep);
  const load = (p: string, step: number) =>
    rowsOf((k) => (k === 0 ? `v128.load(${p})` : `v128.load(${p}, ${step * k})`));
  const ys = range(m).map((k) => `y${k}v`);
  return `
export const ${tiles}: i32 = 32;

/** Tiles per batch for a convolution of total tiles: ${tiles}, fewer if there are fewer. */
export function ${name}Batch(total: i32): i32 { return min(${tiles}, total); }

/** Bytes between the ${e} planes of V and of M: padded off multiples of 4 KiB (cache aliasing). */
@inline function ${planes}(tb: i32, ch: i32): usize { return <usize>((tb * ch + 16) * 4); }

/**
 * Scratch bytes that ${name} needs after the transformed filter for total tiles (sized by the
 * batch: small maps get small scratch).
 */
export function ${name}Scratch(ci: i32, coPad: i32, total: i32): i32 {
  const tb = ${name}Batch(total);
  return <i32>(${e} * ${planes}(tb, (ci + 3) & ~3) + ${e} * ${planes}(tb, coPad)) + coPad * 4 + ${e} * 16;
}
${t.rows}
/**
 * U[e][ciPad][coPad] = G g G^T for each input / output channel pair (g: HWIO 3x3), 4 output
 * channels per vector. tmp: ${3 * a} vectors, then ${e} * coPad floats where one input channel's
 * rows are gathered and then copied to the planes (storing straight to planes whose stride is a
 * multiple of 4 KiB, e.g. 64 x 64 channels, thrashed the cache: 2.5x slower).
 */
export function ${name}Filter(g: usize, ci: i32, co: i32, coPad: i32, u: usize, tmp: usize): void {
  const ciPad = (ci + 3) & ~3;
  const ts = <usize>(ci * co * 4), es = <usize>(ciPad * coPad * 4), row = <usize>(coPad * 4);
  const stage = tmp + ${48 * a};
  for (let e = 0; e < ${e}; e++) {
    memory.fill(u + <usize>e * es + <usize>ci * row, 0, <usize>(ciPad - ci) * row);
  }
  for (let c = 0; c < ci; c++) {
    for (let o = 0; o < coPad; o += 4) {
      const lanes = min(4, co - o);
      const gb = g + <usize>(c * co + o) * 4;
      // G g, column by column, into tmp[i][j] (row i of ${a}, column j of 3)
      for (let j = 0; j < 3; j++) {
        const p = gb + <usize>j * ts;
        ${g}(tmp + <usize>(j * 16), 48, ld(p, lanes), ld(p + 3 * ts, lanes), ld(p + 6 * ts, lanes));
      }
      // (G g) G^T, row by row, into the staged rows ${a}i .. ${a}i + ${a - 1}
      const sb = stage + <usize>(o * 4);
      for (let i = 0; i < ${a}; i++) {
        const q = tmp + <usize>(i * 48);
        ${g}(sb + <usize>(${a} * i) * row, row, v128.load(q), v128.load(q, 16), v128.load(q, 32));
      }
    }
    for (let e = 0; e < ${e}; e++) {
      const d = u + <usize>e * es + <usize>c * row, f = stage + <usize>e * row;
      for (let x: usize = 0; x < row; x += 16) v128.store(d + x, v128.load(f + x));
    }
  }
}

/**
 * The convolution itself, tiles of all the batch's images taken ${tiles} at a time. scratch: V
 * (${e} planes of ${tiles} * ciPad), M (${e} planes of ${tiles} * coPad), zeros (coPad), ${e}
 * vectors of transform scratch; u: the filter from ${name}Filter; bias and alpha hold coPad
 * values. Outputs past the map's edge are computed from clamped input and not stored.
 */
export function ${name}(inp: usize, n: i32, h: i32, w: i32, ci: i32, u: usize, coPad: i32, co: i32,
  bias: usize, alpha: usize, act: i32, out: usize, scratch: usize, lastLanes: i32): void {
  const ho = h - 2, wo = w - 2;
  const th = ${t.tilesFor("ho")}, tw = ${t.tilesFor("wo")};
  const ciPad = (ci + 3) & ~3, full = ci & ~3, tail = ci - full;
  const pxIn = <usize>(ci * 4), pxOut = <usize>(co * 4), rowIn = <usize>w * pxIn;
  const perImage = th * tw, total = n * perImage, tb = ${name}Batch(total);
  const vStride = ${planes}(tb, ciPad), mStride = ${planes}(tb, coPad);
  const vb = scratch, mb = scratch + ${e} * vStride;
  const zeros = mb + ${e} * mStride;
  memory.fill(zeros, 0, <usize>(coPad * 4)); // where it lies depends on n: zero it here
  const tmp = zeros + <usize>(coPad * 4);
  for (let t0 = 0; t0 < total; t0 += tb) {
    const tc = min(tb, total - t0);
    let b = t0 / perImage, ty = (t0 % perImage) / tw, tx = (t0 % perImage) % tw;
    for (let t = 0; t < tc; t++) {
      const img = inp + <usize>(b * h * w) * pxIn;
      const y0 = ${m} * ty, x0 = ${m} * tx;
      const r0 = img + <usize>y0 * rowIn;
${
    range(a).slice(1).map((k) => `      const r${k} = img + <usize>min(y0 + ${k}, h - 1) * rowIn;`)
      .join("\n")
  }
      const vt = vb + <usize>(t * ciPad * 4);
      for (let c = 0; c < ciPad; c += 4) {
        const o = <usize>(c * 4);
        const lanes = c < full ? 4 : tail;
        // B^T d, column by column, into tmp[i][j] (row i of ${a}, column j)
        for (let j = 0; j < ${a}; j++) {
          const cj = <usize>min(x0 + j, w - 1) * pxIn + o;
          ${bt}(tmp + <usize>(j * 16), ${16 * a}, ${rowsOf((k) => `ld(r${k} + cj, lanes)`)});
        }
        // (B^T d) B, row by row, into the planes ${a}i .. ${a}i + ${a - 1}
        for (let i = 0; i < ${a}; i++) {
          const q = tmp + <usize>(i * ${16 * a});
          ${bt}(vt + o + <usize>(${a} * i) * vStride, vStride, ${load("q", 16)});
        }
      }
      if (++tx == tw) { tx = 0; if (++ty == th) { ty = 0; b++; } }
    }
    for (let e = 0; e < ${e}; e++) {
      gemm(vb + <usize>e * vStride, tc, ciPad, u + <usize>(e * ciPad * coPad * 4), coPad, zeros, mb + <usize>e * mStride);
    }
    b = t0 / perImage; ty = (t0 % perImage) / tw; tx = (t0 % perImage) % tw;
    const z = f32x4.splat(0);
    ${t.constants}
    for (let t = 0; t < tc; t++) {
      const y0 = ${m} * ty, x0 = ${m} * tx;
      const mt = mb + <usize>(t * coPad * 4);
      const ob = out + <usize>((b * ho + y0) * wo + x0) * pxOut;
      const ny = min(${m}, ho - y0), nx = min(${m}, wo - x0);
      for (let c = 0; c < coPad; c += 4) {
        const o = <usize>(c * 4);
        const m = mt + o;
        // M A, row by row, into tmp[i][j] (row i of ${a}, column j of ${m})
        for (let i = 0; i < ${a}; i++) {
          const p = m + <usize>(${a} * i) * mStride;
          const ${
    rowsOf((k) => `m${k} = v128.load(p${k ? ` + ${k === 1 ? "" : `${k} * `}mStride` : ""})`)
  };
          ${t.at.shared}
          const q = tmp + <usize>(i * ${16 * m});
${t.at.rows.map((r, k) => `          v128.store(q, ${r}${k ? `, ${16 * k}` : ""});`).join("\n")}
        }
        const bv = v128.load(bias + o), av = v128.load(alpha + o);
        const lanes = c + 4 <= co ? 4 : lastLanes;
        // A^T (M A), column by column: output column j, rows 0 .. ${m - 1}
        for (let j = 0; j < nx; j++) {
          const q = tmp + <usize>(j * 16);
          const ${rowsOf((k) => `m${k} = ${k ? `v128.load(q, ${16 * m * k})` : "v128.load(q)"}`)};
          ${t.at.shared}
${t.at.rows.map((r, k) => `          let ${ys[k]} = f32x4.add(${r}, bv);`).join("\n")}
          if (act) {
${
    ys.map((y) =>
      `            ${y} = v128.bitselect(${y}, f32x4.mul(${y}, av), f32x4.ge(${y}, z));`
    ).join("\n")
  }
          }
          const oj = ob + <usize>j * pxOut + o, rs = <usize>wo * pxOut;
          put4(oj, y0v, lanes);
${
    ys.slice(1).map((y, k) =>
      `          if (ny > ${k + 1}) put4(oj + ${k ? `${k + 1} * ` : ""}rs, ${y}, lanes);`
    ).join("\n")
  }
        }
      }
      if (++tx == tw) { tx = 0; if (++ty == th) { ty = 0; b++; } }
    }
  }
}
`;
};
