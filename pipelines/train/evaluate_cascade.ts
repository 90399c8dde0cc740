/**
 * Evaluating a (trained) cascade on an annotated list: recall at IoU >= 0.5, false positives
 * per image, and the landmark error over the inter-ocular distance (matching rule of
 * `lib/eval/landmarks.ts`).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import type { FivePoints } from "../../lib/annotations/landmark_annotation.ts";
import type { MtcnnError } from "../../lib/errors.ts";
import type { Face } from "../../lib/face.ts";
import { landmarkError, type LandmarkEvaluation } from "../../lib/eval/landmarks.ts";
import type { Result } from "../../lib/result.ts";
import { iou } from "../../lib/nms.ts";
import type { MtcnnWeights } from "../../lib/weights/record.ts";
import { createDetector } from "../detector.ts";
import type { DetectorOptions } from "../detector_types.ts";
import { type OnProgress, progressOf } from "../../lib/progress.ts";
import type { TrainingImage } from "../edge/train/training_images.ts";

/** What {@linkcode evaluateCascade} measures. */
export interface CascadeEvaluation {
  /** Images evaluated (images that failed to load are counted in `failed`). */
  readonly images: number;
  /** Images that could not be read or decoded. */
  readonly failed: number;
  /** Annotated faces. */
  readonly faces: number;
  /** Share of faces matched one-to-one by a detection with IoU >= 0.5. */
  readonly recall: number;
  /** Detections matching no face, per image. */
  readonly falsePositivesPerImage: number;
  /** Landmark error summary (faces with landmarks). */
  readonly landmarks: Omit<LandmarkEvaluation, "nme">;
  /** Milliseconds of detection per image, mean. */
  readonly msPerImage: number;
}

const matchCount = (faces: readonly Face[], gt: TrainingImage["faces"]): number => {
  const used = new Set<number>();
  let tp = 0;
  for (const f of faces) {
    const [x, y, w, h] = f.box;
    let best = -1, bestIou = 0.5;
    gt.forEach((g, k) => {
      const v = iou([x, y, x + w, y + h], g.box);
      if (!used.has(k) && v >= bestIou) [best, bestIou] = [k, v];
    });
    if (best >= 0) {
      used.add(best);
      tp++;
    }
  }
  return tp;
};

/** Runs the cascade over `images` and scores it (faces given most confident first). `options`
 * may give the detector's own stage list (e.g. with a landmark stage after ONet).
 *
 * @example
 * ```ts
 * import { evaluateCascade, loadTrainingImages } from "@mtcnn/mtcnn/train";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * const imgs = await loadTrainingImages("mtfl/testing.txt", "mtfl");
 * if (w._tag === "Right" && imgs._tag === "Right") {
 *   const r = await evaluateCascade(w.right, imgs.right);
 *   if (r._tag === "Right") console.log(r.right.recall, r.right.landmarks.nmeMean);
 * }
 * ```
 */
export const evaluateCascade = async (
  weights: MtcnnWeights,
  images: readonly TrainingImage[],
  options: DetectorOptions = {},
  log?: (line: string) => void,
  onProgress?: OnProgress,
): Promise<Result<MtcnnError, CascadeEvaluation>> => {
  const d = await createDetector({ ...options, weights, boxFormat: "xywh" });
  if (d._tag === "Left") return d;
  let failed = 0, faces = 0, tp = 0, dets = 0, ms = 0;
  const cases: { landmarks: FivePoints; faces: readonly Face[] }[] = [];
  const bar = progressOf(onProgress);
  try {
    for (const [i, im] of images.entries()) {
      bar.update(i, images.length, "");
      if (i % 500 === 0) log?.(`image ${i}/${images.length}`);
      const t0 = performance.now();
      const r = await d.right.detect(im.path);
      ms += performance.now() - t0;
      if (r._tag === "Left") {
        failed++;
        log?.(`failed: ${r.left.message}`);
        continue;
      }
      const found = r.right.faces;
      faces += im.faces.length;
      dets += found.length;
      tp += matchCount(found, im.faces);
      for (const f of im.faces) {
        const l = f.landmarks;
        if (!l) continue;
        const pts = [0, 1, 2, 3, 4].map((k) => [l[k], l[5 + k]] as const);
        cases.push({ landmarks: pts as unknown as FivePoints, faces: found });
      }
    }
  } finally {
    bar.done();
    d.right.dispose();
  }
  const n = images.length - failed;
  const { nme: _, ...lm } = landmarkError(cases);
  return E.right({
    images: n,
    failed,
    faces,
    recall: faces ? tp / faces : NaN,
    falsePositivesPerImage: n ? (dets - tp) / n : NaN,
    landmarks: lm,
    msPerImage: n ? ms / n : NaN,
  });
};
