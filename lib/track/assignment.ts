/**
 * Minimum-cost assignment of rows to columns (the Hungarian method), for matching tracks to
 * detections.
 *
 * @module
 */

/**
 * Pairs rows with columns so that the sum of `cost[row][col]` over the pairs is smallest, each
 * row and column used at most once; pairs whose cost is `Infinity` (forbidden) are never
 * returned. Rows and columns may differ in number.
 *
 * The Hungarian method with potentials (Kuhn 1955, Munkres 1957, in the O(n^3) shortest
 * augmenting path form of Jonker and Volgenant); forbidden pairs get a cost larger than any
 * allowed assignment, so they are chosen only where nothing allowed is left, and dropped.
 *
 * @example
 * ```ts
 * import { assignMinCost } from "./assignment.ts";
 * console.log(assignMinCost([[1, 2], [1, 5]])); // [[0, 1], [1, 0]]
 * ```
 */
export const assignMinCost = (
  cost: readonly (readonly number[])[],
): [row: number, col: number][] => {
  const rows = cost.length;
  const cols = rows > 0 ? cost[0].length : 0;
  if (rows === 0 || cols === 0) return [];
  // Square matrix of size n; padding and forbidden pairs cost `big`, more than any sum of
  // allowed costs, so the optimum uses as many allowed pairs as it can.
  const n = Math.max(rows, cols);
  let finiteSum = 0;
  for (const r of cost) for (const c of r) if (Number.isFinite(c)) finiteSum += Math.abs(c);
  const big = finiteSum * 2 + 1;
  const a = (i: number, j: number): number => {
    if (i >= rows || j >= cols) return big;
    const c = cost[i][j];
    return Number.isFinite(c) ? c : big;
  };
  // u, v: potentials; p[j]: row matched to column j (1-based, 0 = none); way: augmenting path.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = a(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const out: [number, number][] = [];
  for (let j = 1; j <= n; j++) {
    const i = p[j] - 1;
    if (i < rows && j - 1 < cols && Number.isFinite(cost[i][j - 1])) out.push([i, j - 1]);
  }
  return out.sort((x, y) => x[0] - y[0]);
};
