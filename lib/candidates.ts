/**
 * Candidate boxes between stages, as flat typed arrays (one readback per stage, no objects
 * per candidate): boxes [x1, y1, x2, y2] in image pixels, scores, regression offsets and
 * landmarks.
 *
 * @module
 */

/** A set of `count` candidates. */
export interface Candidates {
  /** Number of candidates. */
  readonly count: number;
  /** 4 * count values: x1, y1, x2, y2 per candidate. */
  readonly boxes: Float64Array;
  /** count face probabilities. */
  readonly scores: Float64Array;
  /** 4 * count regression offsets (dx1, dy1, dx2, dy2) not yet applied, or undefined. */
  readonly offsets?: Float64Array;
  /** 10 * count landmark coordinates x1, y1, ..., x5, y5 in pixels, or undefined. */
  readonly landmarks?: Float64Array;
  /** count clockwise turns (degrees) of the image each candidate was found on, or undefined. */
  readonly rotations?: Int16Array;
}

/** No candidates. */
export const NO_CANDIDATES: Candidates = {
  count: 0,
  boxes: new Float64Array(0),
  scores: new Float64Array(0),
};

/**
 * The candidates at the given indices, in that order.
 */
export const selectCandidates = (c: Candidates, keep: ArrayLike<number>): Candidates => {
  const n = keep.length;
  const boxes = new Float64Array(4 * n);
  const scores = new Float64Array(n);
  const offsets = c.offsets ? new Float64Array(4 * n) : undefined;
  const landmarks = c.landmarks ? new Float64Array(10 * n) : undefined;
  const rotations = c.rotations ? new Int16Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const k = keep[i];
    boxes.set(c.boxes.subarray(4 * k, 4 * k + 4), 4 * i);
    scores[i] = c.scores[k];
    offsets?.set(c.offsets!.subarray(4 * k, 4 * k + 4), 4 * i);
    landmarks?.set(c.landmarks!.subarray(10 * k, 10 * k + 10), 10 * i);
    if (rotations) rotations[i] = c.rotations![k];
  }
  return rotations
    ? { count: n, boxes, scores, offsets, landmarks, rotations }
    : { count: n, boxes, scores, offsets, landmarks };
};

/**
 * Candidates in the coordinates of an image `1 / sx` times as wide and `1 / sy` times as high
 * (x values divided by `sx`, y values by `sy`): faces found on a downscaled copy, mapped back.
 */
export const rescaleCandidates = (c: Candidates, sx: number, sy: number): Candidates => {
  if (sx === 1 && sy === 1) return c;
  const boxes = c.boxes.map((v, i) => v / (i % 2 === 0 ? sx : sy));
  const landmarks = c.landmarks?.map((v, i) => v / (i % 2 === 0 ? sx : sy));
  return { ...c, boxes, landmarks };
};

/** Joins candidate sets (offsets, landmarks, rotations kept only when every part has them). */
export const concatCandidates = (parts: readonly Candidates[]): Candidates => {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const withOffsets = parts.every((p) => p.offsets);
  const withLandmarks = parts.every((p) => p.landmarks);
  const boxes = new Float64Array(4 * count);
  const scores = new Float64Array(count);
  const offsets = withOffsets ? new Float64Array(4 * count) : undefined;
  const landmarks = withLandmarks ? new Float64Array(10 * count) : undefined;
  const rotations = parts.length > 0 && parts.every((p) => p.rotations)
    ? new Int16Array(count)
    : undefined;
  let o = 0;
  for (const p of parts) {
    boxes.set(p.boxes.subarray(0, 4 * p.count), 4 * o);
    scores.set(p.scores.subarray(0, p.count), o);
    offsets?.set(p.offsets!.subarray(0, 4 * p.count), 4 * o);
    landmarks?.set(p.landmarks!.subarray(0, 10 * p.count), 10 * o);
    rotations?.set(p.rotations!.subarray(0, p.count), o);
    o += p.count;
  }
  return rotations
    ? { count, boxes, scores, offsets, landmarks, rotations }
    : { count, boxes, scores, offsets, landmarks };
};

/**
 * Applies regression offsets in place of the boxes: x1 += dx1 * w, y1 += dy1 * h,
 * x2 += dx2 * w, y2 += dy2 * h, with w = x2 - x1 + `plusOne` (facenet-pytorch uses 0 after
 * PNet and 1 after RNet and ONet, after the Caffe code).
 */
export const applyOffsets = (
  boxes: Float64Array,
  offsets: Float64Array,
  count: number,
  plusOne: 0 | 1,
): Float64Array => {
  const out = new Float64Array(4 * count);
  for (let i = 0; i < count; i++) {
    const j = 4 * i;
    const w = boxes[j + 2] - boxes[j] + plusOne;
    const h = boxes[j + 3] - boxes[j + 1] + plusOne;
    out[j] = boxes[j] + offsets[j] * w;
    out[j + 1] = boxes[j + 1] + offsets[j + 1] * h;
    out[j + 2] = boxes[j + 2] + offsets[j + 2] * w;
    out[j + 3] = boxes[j + 3] + offsets[j + 3] * h;
  }
  return out;
};

/** Makes every box square around its centre, side max(w, h). */
export const squareBoxes = (boxes: Float64Array, count: number): Float64Array => {
  const out = new Float64Array(4 * count);
  for (let i = 0; i < count; i++) {
    const j = 4 * i;
    const w = boxes[j + 2] - boxes[j];
    const h = boxes[j + 3] - boxes[j + 1];
    const l = Math.max(w, h);
    out[j] = boxes[j] + w * 0.5 - l * 0.5;
    out[j + 1] = boxes[j + 1] + h * 0.5 - l * 0.5;
    out[j + 2] = out[j] + l;
    out[j + 3] = out[j + 1] + l;
  }
  return out;
};
