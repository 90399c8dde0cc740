/**
 * Landmark accuracy: normalised mean error (NME) over the inter-ocular distance, per
 * annotated face, with the detection matched to it.
 *
 * @module
 */
import type { FivePoints } from "../annotations/landmark_annotation.ts";
import { type BoxFormat, type Face, KEYPOINT_NAMES, type Point } from "../face.ts";

/** One annotated face and everything the detector found in its image. */
export interface LandmarkCase {
  /** Ground-truth landmarks (left eye, right eye, nose, left mouth, right mouth). */
  readonly landmarks: FivePoints;
  /** The detections of the image the face is in. */
  readonly faces: readonly Face[];
}

/** Options of {@linkcode landmarkError}. */
export interface LandmarkErrorOptions {
  /** NME above which a face counts as a failure. Default 0.1, the usual choice. */
  readonly failureThreshold?: number;
  /** Format of the detections' boxes. Default `"xywh"`, the detector's default. */
  readonly boxFormat?: BoxFormat;
}

/** Summary of a landmark evaluation. */
export interface LandmarkEvaluation {
  /** Mean NME over the matched faces (NaN when none matched). */
  readonly nmeMean: number;
  /** Median NME over the matched faces (NaN when none matched). */
  readonly nmeMedian: number;
  /** Share of matched faces with NME above the failure threshold. */
  readonly failureRate: number;
  /** Share of annotated faces with no matching detection. */
  readonly missRate: number;
  /** Annotated faces. */
  readonly faces: number;
  /** Per annotated face, its NME, or NaN when it was missed. */
  readonly nme: readonly number[];
}

const centre = (pts: readonly Point[]): Point => [
  pts.reduce((s, p) => s + p[0], 0) / pts.length,
  pts.reduce((s, p) => s + p[1], 0) / pts.length,
];

/**
 * The detection matched to a ground-truth face: among detections with keypoints whose box
 * contains the centre (mean) of the ground-truth landmarks, the one whose box centre is
 * nearest to it. Undefined when no box contains it (a miss). The same rule serves lists with
 * boxes (CNN_FacePoint), so that results do not depend on how a list drew its boxes.
 *
 * @example
 * ```ts
 * import { matchFace } from "@mtcnn/mtcnn/eval";
 * const pts = [[10, 10], [20, 10], [15, 15], [11, 20], [19, 20]] as const;
 * console.log(matchFace(pts, [{ box: [0, 0, 30, 30], confidence: 1 }]) !== undefined); // true
 * ```
 */
export const matchFace = (
  landmarks: FivePoints,
  faces: readonly Face[],
  boxFormat: BoxFormat = "xywh",
): Face | undefined => {
  const [cx, cy] = centre(landmarks);
  let best: Face | undefined, bestDistance = Infinity;
  for (const f of faces) {
    if (!f.keypoints) continue;
    const [x1, y1, a, b] = f.box;
    const x2 = boxFormat === "xyxy" ? a : x1 + a, y2 = boxFormat === "xyxy" ? b : y1 + b;
    if (cx < x1 || cx > x2 || cy < y1 || cy > y2) continue;
    const d = Math.hypot((x1 + x2) / 2 - cx, (y1 + y2) / 2 - cy);
    if (d < bestDistance) best = f, bestDistance = d;
  }
  return best;
};

/**
 * NME of `predicted` against `truth`: the mean of the five point distances over the
 * distance between the ground-truth eye centres. NaN when the eyes coincide.
 *
 * @example
 * ```ts
 * import { faceNme } from "@mtcnn/mtcnn/eval";
 * const pts = [[10, 10], [20, 10], [15, 15], [11, 20], [19, 20]] as const;
 * console.log(faceNme(pts, pts)); // 0
 * ```
 */
export const faceNme = (truth: FivePoints, predicted: readonly Point[]): number => {
  const iod = Math.hypot(truth[1][0] - truth[0][0], truth[1][1] - truth[0][1]);
  if (!(iod > 0)) return NaN;
  let sum = 0;
  for (let i = 0; i < 5; i++) {
    sum += Math.hypot(predicted[i][0] - truth[i][0], predicted[i][1] - truth[i][1]);
  }
  return sum / 5 / iod;
};

const median = (sorted: readonly number[]): number => {
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
};

/**
 * Evaluates landmark accuracy: each annotated face is matched to a detection by
 * {@linkcode matchFace}; its NME is computed by {@linkcode faceNme}. Mean, median and failure
 * rate are over matched faces; the miss rate is over all faces.
 *
 * @example
 * ```ts
 * import { landmarkError } from "@mtcnn/mtcnn/eval";
 * const truth = [[30, 40], [70, 40], [50, 60], [35, 80], [65, 80]] as const;
 * const face = {
 *   box: [10, 10, 80, 90], confidence: 0.99,
 *   keypoints: { left_eye: [32, 40], right_eye: [70, 40], nose: [50, 60], mouth_left: [35, 80], mouth_right: [65, 80] },
 * } as const;
 * const r = landmarkError([{ landmarks: truth, faces: [face] }]);
 * console.log(r.nmeMean, r.missRate); // 0.01 0
 * ```
 */
export const landmarkError = (
  cases: readonly LandmarkCase[],
  options: LandmarkErrorOptions = {},
): LandmarkEvaluation => {
  const threshold = options.failureThreshold ?? 0.1;
  const nme = cases.map(({ landmarks, faces }) => {
    const k = matchFace(landmarks, faces, options.boxFormat)?.keypoints;
    return k ? faceNme(landmarks, KEYPOINT_NAMES.map((name) => k[name])) : NaN;
  });
  const matched = nme.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const m = matched.length;
  return {
    nmeMean: m ? matched.reduce((s, v) => s + v, 0) / m : NaN,
    nmeMedian: median(matched),
    failureRate: m ? matched.filter((v) => v > threshold).length / m : NaN,
    missRate: cases.length ? (cases.length - m) / cases.length : NaN,
    faces: cases.length,
    nme,
  };
};
