/**
 * Comparing two detectors' faces on the same images: one-to-one matching at IoU >= 0.5 and
 * the agreement figures of the parity requirement (found both ways, confident faces, landmark
 * distance over box width, confidence difference).
 *
 * @module
 */
import { iou } from "../nms.ts";

/** A face as the reference files store it: corners, score, landmarks [x, y] x 5. */
export interface PlainFace {
  /** [x1, y1, x2, y2]. */
  readonly box: readonly [number, number, number, number];
  /** Face probability. */
  readonly score: number;
  /** Five [x, y] points, when the detector gives them. */
  readonly landmarks?: readonly (readonly [number, number])[];
}

/**
 * Pairs [i, j] of a[i] and b[j] matched one to one, highest IoU first, each IoU >= `minIou`.
 *
 * @example
 * ```ts
 * import { matchFaces } from "@mtcnn/mtcnn/eval";
 * const f = { box: [0, 0, 40, 40] as const, score: 0.99 };
 * console.log(matchFaces([f], [f])); // [[0, 0]]
 * ```
 */
export const matchFaces = (
  a: readonly PlainFace[],
  b: readonly PlainFace[],
  minIou = 0.5,
): [number, number][] => {
  const pairs: [number, number, number][] = [];
  a.forEach((fa, i) =>
    b.forEach((fb, j) => {
      const v = iou(fa.box, fb.box);
      if (v >= minIou) pairs.push([v, i, j]);
    })
  );
  pairs.sort((p, q) => q[0] - p[0]);
  const usedA = new Set<number>(), usedB = new Set<number>();
  const out: [number, number][] = [];
  for (const [, i, j] of pairs) {
    if (usedA.has(i) || usedB.has(j)) continue;
    usedA.add(i);
    usedB.add(j);
    out.push([i, j]);
  }
  return out;
};

/** Agreement of `ours` with `ref` over many images. */
export interface ParityReport {
  /** Images compared. */
  readonly images: number;
  /** Faces in the reference / ours. */
  readonly refFaces: number;
  /** Faces in ours. */
  readonly ourFaces: number;
  /** Share of the reference's faces that we found. */
  readonly refFound: number;
  /** Share of our faces that are in the reference. */
  readonly oursInRef: number;
  /** Share of the reference's confident faces (score >= 0.95, width >= 30) that we found. */
  readonly confidentRefFound: number;
  /** Share of our confident faces that are in the reference. */
  readonly confidentOursInRef: number;
  /** Mean over matched faces of the mean landmark distance divided by the reference box width. */
  readonly landmarkError: number;
  /** Mean absolute score difference over matched faces. */
  readonly scoreDiff: number;
  /** Mean IoU of matched faces. */
  readonly meanIou: number;
}

const confident = (f: PlainFace): boolean => f.score >= 0.95 && f.box[2] - f.box[0] >= 30;

/**
 * The parity figures of `ours` against `ref`, image by image (pairs of face lists).
 *
 * @example
 * ```ts
 * import { parityReport } from "@mtcnn/mtcnn/eval";
 * const f = { box: [0, 0, 40, 40] as const, score: 0.99 };
 * console.log(parityReport([[[f], [f]]]).refFound); // 1
 * ```
 */
export const parityReport = (
  images: readonly (readonly [readonly PlainFace[], readonly PlainFace[]])[],
): ParityReport => {
  let refFaces = 0, ourFaces = 0, matched = 0;
  let confRef = 0, confRefHit = 0, confOurs = 0, confOursHit = 0;
  let lmSum = 0, lmN = 0, scoreSum = 0, iouSum = 0;
  for (const [ours, ref] of images) {
    const pairs = matchFaces(ours, ref);
    refFaces += ref.length;
    ourFaces += ours.length;
    matched += pairs.length;
    const hitOurs = new Set(pairs.map((p) => p[0]));
    const hitRef = new Set(pairs.map((p) => p[1]));
    ref.forEach((f, j) => {
      if (confident(f)) {
        confRef++;
        if (hitRef.has(j)) confRefHit++;
      }
    });
    ours.forEach((f, i) => {
      if (confident(f)) {
        confOurs++;
        if (hitOurs.has(i)) confOursHit++;
      }
    });
    for (const [i, j] of pairs) {
      const a = ours[i], b = ref[j];
      scoreSum += Math.abs(a.score - b.score);
      iouSum += iou(a.box, b.box);
      if (a.landmarks && b.landmarks) {
        let d = 0;
        for (let k = 0; k < 5; k++) {
          d += Math.hypot(
            a.landmarks[k][0] - b.landmarks[k][0],
            a.landmarks[k][1] - b.landmarks[k][1],
          );
        }
        lmSum += d / 5 / Math.max(b.box[2] - b.box[0], 1e-9);
        lmN++;
      }
    }
  }
  const share = (n: number, d: number) => (d === 0 ? 1 : n / d);
  return {
    images: images.length,
    refFaces,
    ourFaces,
    refFound: share(matched, refFaces),
    oursInRef: share(matched, ourFaces),
    confidentRefFound: share(confRefHit, confRef),
    confidentOursInRef: share(confOursHit, confOurs),
    landmarkError: lmN ? lmSum / lmN : 0,
    scoreDiff: matched ? scoreSum / matched : 0,
    meanIou: matched ? iouSum / matched : 0,
  };
};
