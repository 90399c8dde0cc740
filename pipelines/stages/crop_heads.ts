/**
 * What RNet and ONet's heads say per crop: face probabilities and the crops above a threshold.
 *
 * @module
 */

/** The face probabilities (column 1) of a [count, 2] softmax. */
export const faceScores = (prob: Float32Array, count: number): Float64Array => {
  const s = new Float64Array(count);
  for (let i = 0; i < count; i++) s[i] = prob[2 * i + 1];
  return s;
};

/** Indices whose face probability (column 1 of a [n, 2] softmax) is above `t`. */
export const aboveThreshold = (prob: Float32Array, count: number, t: number): number[] => {
  const keep: number[] = [];
  for (let i = 0; i < count; i++) if (prob[2 * i + 1] > t) keep.push(i);
  return keep;
};
