/**
 * Greedy non-maximum suppression on flat box arrays.
 *
 * @module
 */

/**
 * How overlap is measured: `union` = intersection over union (widths x2 - x1), `min` =
 * intersection over the smaller box with +1 in widths and areas (the Caffe MTCNN code's
 * "Min", used after ONet).
 */
export type NmsMode = "union" | "min";

/**
 * The indices 0 .. count - 1 by descending score, ties by ascending index. Scores that are
 * float32 values in [0, 1] (every net's probabilities) are sorted as one number each, their
 * float bits (which order as the values do) above the inverted index, by the native numeric
 * sort; any other score falls back to sorting with a comparator (the same order).
 */
const byScore = (scores: Float64Array, count: number): Int32Array => {
  const order = new Int32Array(count);
  if (count < 2 ** 21) {
    const keys = new Float64Array(count);
    const f32 = new Float32Array(1), bits = new Uint32Array(f32.buffer);
    let packed = true;
    for (let i = 0; i < count && packed; i++) {
      const s = scores[i];
      f32[0] = s + 0; // -0 becomes +0 (its sign bit would sort it first)
      packed = s >= 0 && s <= 1 && f32[0] === s;
      // bits < 2^30 for [0, 1]; times 2^21 plus the index stays below 2^53 (exact).
      keys[i] = bits[0] * 2 ** 21 + (2 ** 21 - 1 - i);
    }
    if (packed) {
      keys.sort();
      for (let k = 0; k < count; k++) order[k] = 2 ** 21 - 1 - (keys[count - 1 - k] % 2 ** 21);
      return order;
    }
  }
  for (let i = 0; i < count; i++) order[i] = i;
  return order.sort((a, b) => scores[b] - scores[a] || a - b);
};

/**
 * Indices of the boxes kept by greedy NMS, highest score first: a box is dropped when its
 * overlap with an already kept box is greater than `threshold`.
 */
export const nms = (
  boxes: Float64Array,
  scores: Float64Array,
  count: number,
  threshold: number,
  mode: NmsMode = "union",
): Int32Array => {
  const order = byScore(scores, count);
  const plus = mode === "min" ? 1 : 0;
  const min = mode === "min";
  // The boxes in score order, one array per coordinate: the inner loop reads them in sequence.
  const x1s = new Float64Array(count), y1s = new Float64Array(count);
  const x2s = new Float64Array(count), y2s = new Float64Array(count);
  const area = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const i = 4 * order[k];
    x1s[k] = boxes[i];
    y1s[k] = boxes[i + 1];
    x2s[k] = boxes[i + 2];
    y2s[k] = boxes[i + 3];
    area[k] = (boxes[i + 2] - boxes[i] + plus) * (boxes[i + 3] - boxes[i + 1] + plus);
  }
  const suppressed = new Uint8Array(count);
  const keep = new Int32Array(count);
  let kept = 0;
  for (let oi = 0; oi < count; oi++) {
    if (suppressed[oi]) continue;
    keep[kept++] = order[oi];
    const x1 = x1s[oi], y1 = y1s[oi], x2 = x2s[oi], y2 = y2s[oi], ai = area[oi];
    for (let oj = oi + 1; oj < count; oj++) {
      if (suppressed[oj]) continue;
      const w = Math.min(x2, x2s[oj]) - Math.max(x1, x1s[oj]) + plus;
      if (w <= 0) continue;
      const h = Math.min(y2, y2s[oj]) - Math.max(y1, y1s[oj]) + plus;
      if (h <= 0) continue;
      const inter = w * h;
      const overlap = min ? inter / Math.min(ai, area[oj]) : inter / (ai + area[oj] - inter);
      if (overlap > threshold) suppressed[oj] = 1;
    }
  }
  return keep.slice(0, kept);
};

/**
 * Intersection over union of two [x1, y1, x2, y2] boxes (0 when either is empty).
 */
export const iou = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
};
