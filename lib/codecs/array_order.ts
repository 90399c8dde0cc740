/**
 * Reordering between Fortran (column-major, first axis fastest) and C (row-major, last axis
 * fastest) element orders, as NumPy's `order="F"` and `order="C"` lay arrays out.
 *
 * @module
 */

const rowStrides = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length).fill(1);
  for (let a = shape.length - 2; a >= 0; a--) s[a] = s[a + 1] * shape[a + 1];
  return s;
};

/** Walks `data` in column-major order, calling `visit(columnIndex, rowIndex)` per element. */
const walk = (
  shape: readonly number[],
  count: number,
  visit: (col: number, row: number) => void,
): void => {
  const strides = rowStrides(shape);
  const idx = new Array<number>(shape.length).fill(0);
  let row = 0;
  for (let col = 0; col < count; col++) {
    visit(col, row);
    for (let a = 0; a < shape.length; a++) {
      idx[a]++;
      row += strides[a];
      if (idx[a] < shape[a]) break;
      row -= strides[a] * shape[a];
      idx[a] = 0;
    }
  }
};

/**
 * Row-major (C order) copy of `data` laid out in column-major (F order) for `shape`.
 * Arrays of fewer than two axes are returned as they are.
 */
export const toRowMajor = (data: Float32Array, shape: readonly number[]): Float32Array => {
  if (shape.length < 2) return data;
  const out = new Float32Array(data.length);
  walk(shape, data.length, (col, row) => (out[row] = data[col]));
  return out;
};

/** Column-major (F order) copy of row-major `data` of `shape`; the inverse of toRowMajor. */
export const toColumnMajor = (data: Float32Array, shape: readonly number[]): Float32Array => {
  if (shape.length < 2) return data;
  const out = new Float32Array(data.length);
  walk(shape, data.length, (col, row) => (out[col] = data[row]));
  return out;
};
