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
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) =>
    scores[b] - scores[a] || a - b
  );
  const plus = mode === "min" ? 1 : 0;
  const area = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    area[i] = (boxes[4 * i + 2] - boxes[4 * i] + plus) *
      (boxes[4 * i + 3] - boxes[4 * i + 1] + plus);
  }
  const suppressed = new Uint8Array(count);
  const keep: number[] = [];
  for (let oi = 0; oi < count; oi++) {
    const i = order[oi];
    if (suppressed[i]) continue;
    keep.push(i);
    const x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3];
    for (let oj = oi + 1; oj < count; oj++) {
      const j = order[oj];
      if (suppressed[j]) continue;
      const w = Math.min(x2, boxes[4 * j + 2]) - Math.max(x1, boxes[4 * j]) + plus;
      if (w <= 0) continue;
      const h = Math.min(y2, boxes[4 * j + 3]) - Math.max(y1, boxes[4 * j + 1]) + plus;
      if (h <= 0) continue;
      const inter = w * h;
      const overlap = mode === "min"
        ? inter / Math.min(area[i], area[j])
        : inter / (area[i] + area[j] - inter);
      if (overlap > threshold) suppressed[j] = 1;
    }
  }
  return Int32Array.from(keep);
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
