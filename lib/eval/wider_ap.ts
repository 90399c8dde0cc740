/**
 * The official WIDER FACE evaluation protocol (`eval_tools/evaluation.m` of the WIDER FACE
 * site, and wondervictor/WiderFace-Evaluation, its common Python port), re-implemented:
 *
 * 1. Scores are normalised over the whole set: (s - min) / (max - min), with min starting at
 *    1 and max at 0 as in `norm_score`.
 * 2. Per image, predictions in descending score order are matched in turn to the ground-truth
 *    face of highest overlap (IoU with the official "+1" pixel widths, x2 = x + w). When the
 *    overlap is >= 0.5: if that face is not in the setting's index list, the prediction is
 *    ignored (neither true nor false positive) and the face is marked ignored; otherwise the
 *    face is recalled if it was not already (a second match is a false positive).
 * 3. For 1,000 thresholds t = 1 - k / 1000 (k = 1..1000), per image, the predictions scoring
 *    >= t give a count of proposals (not ignored) and of recalled faces; both are summed over
 *    images. Images without ground truth or without predictions add nothing, as officially.
 * 4. Precision = recalled / proposals, recall = recalled / (faces counted by the setting, over
 *    all images); AP is the VOC area under the monotone precision envelope.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import { splitKey, type WiderSplits } from "./wider_splits.ts";

/** A box [x, y, w, h] in pixels. */
export type XywhBox = readonly [number, number, number, number];

/** One predicted face. */
export interface ScoredBox {
  /** [x, y, w, h] in pixels. */
  readonly box: XywhBox;
  /** Any real confidence; only the order and the set-wide range matter. */
  readonly score: number;
}

/** One image to evaluate: its ground truth (file order) and the detector's predictions. */
export interface WiderEvalImage {
  /** Image name; its base name is looked up in the splits. */
  readonly name: string;
  /** Ground-truth boxes in the ground-truth file's order. */
  readonly gt: readonly XywhBox[];
  /** Predictions, in any order. */
  readonly predictions: readonly ScoredBox[];
}

/** The result for one setting. */
export interface WiderApResult {
  /** VOC-style average precision; NaN (`null` in JSON) when the setting counts no face. */
  readonly ap: number;
  /** Faces the setting counts (the recall denominator). */
  readonly faces: number;
  /** Precision at each threshold (NaN where no proposal scores above it). */
  readonly precision: readonly number[];
  /** Recall at each threshold. */
  readonly recall: readonly number[];
}

/** Options of {@linkcode evaluateWider}. */
export interface WiderEvalOptions {
  /** Minimum IoU of a match. Default 0.5, the official value. */
  readonly iouThreshold?: number;
  /** Number of score thresholds. Default 1000, the official value. */
  readonly thresholds?: number;
}

/** Official overlap: widths x2 - x1 + 1 with x2 = x + w (`boxoverlap.m`). */
const overlap = (a: XywhBox, b: XywhBox): number => {
  const iw = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]) + 1;
  const ih = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]) + 1;
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a[2] + 1) * (a[3] + 1) + (b[2] + 1) * (b[3] + 1) - inter);
};

/**
 * VOC AP: the area under the monotone precision envelope, summed where recall changes.
 * Precision NaN (no proposals at that threshold) is skipped, as MATLAB's `max` does.
 *
 * @example
 * ```ts
 * import { vocAp } from "@mtcnn/mtcnn/eval";
 * console.log(vocAp([0.5, 0.5, 1], [1, 0.5, 0.5])); // 0.75
 * ```
 */
export const vocAp = (recall: readonly number[], precision: readonly number[]): number => {
  const rec = [0, ...recall, 1];
  const pre = [0, ...precision, 0];
  for (let i = pre.length - 2; i >= 0; i--) {
    pre[i] = Number.isNaN(pre[i])
      ? pre[i + 1]
      : Number.isNaN(pre[i + 1])
      ? pre[i]
      : Math.max(pre[i], pre[i + 1]);
  }
  let ap = 0;
  for (let i = 1; i < rec.length; i++) {
    if (rec[i] !== rec[i - 1]) ap += (rec[i] - rec[i - 1]) * pre[i];
  }
  return ap;
};

/** Adds one image's proposal and recall counts per threshold to `props` and `hits`. */
const accumulateImage = (
  gt: readonly XywhBox[],
  preds: readonly ScoredBox[],
  keep: ReadonlySet<number>,
  iou: number,
  props: Float64Array,
  hits: Float64Array,
): void => {
  const n = props.length;
  const recalledFace = new Uint8Array(gt.length);
  const ignoredPred = new Uint8Array(preds.length);
  const recalledAfter = new Int32Array(preds.length);
  let recalled = 0;
  preds.forEach((p, h) => {
    let best = -1, bestOverlap = -Infinity;
    for (let g = 0; g < gt.length; g++) {
      const o = overlap(gt[g], p.box);
      if (o > bestOverlap) best = g, bestOverlap = o;
    }
    if (bestOverlap >= iou) {
      if (!keep.has(best)) ignoredPred[h] = 1;
      else if (!recalledFace[best]) recalledFace[best] = 1, recalled++;
    }
    recalledAfter[h] = recalled;
  });
  let last = -1, proposals = 0;
  for (let k = 1; k <= n; k++) {
    const t = 1 - k / n;
    while (last + 1 < preds.length && preds[last + 1].score >= t) {
      last++;
      if (!ignoredPred[last]) proposals++;
    }
    if (last >= 0) props[k - 1] += proposals, hits[k - 1] += recalledAfter[last];
  }
};

/**
 * Evaluates `images` with the official WIDER FACE protocol (see the module doc), once per
 * setting of `splits` (images found by base name), or once as `all` counting every face when
 * `splits` is undefined. An InputError when an image is missing from a setting or a score is
 * not finite; a FormatError when a setting's index exceeds the image's face count; an
 * OptionError for an IoU outside (0, 1] or a threshold count that is not a positive integer.
 *
 * @example
 * ```ts
 * import { evaluateWider } from "@mtcnn/mtcnn/eval";
 * const images = [{ name: "a.jpg", gt: [[10, 10, 20, 20]] as const, predictions: [{ box: [10, 10, 20, 20], score: 0.9 }] as const }];
 * const r = evaluateWider(images);
 * if (r._tag === "Right") console.log(r.right.all.ap); // 1
 * ```
 */
export const evaluateWider = (
  images: readonly WiderEvalImage[],
  splits?: WiderSplits,
  options: WiderEvalOptions = {},
): Result<MtcnnError, Readonly<Record<string, WiderApResult>>> => {
  const iou = options.iouThreshold ?? 0.5;
  const n = options.thresholds ?? 1000;
  if (!(iou > 0 && iou <= 1) || !(Number.isInteger(n) && n >= 1)) {
    return E.left(
      mtcnnError(
        "OptionError",
        `iouThreshold must be in (0, 1] and thresholds an integer >= 1, got ${iou} and ${n}`,
      ),
    );
  }
  if (!images.every((im) => im.predictions.every((p) => Number.isFinite(p.score)))) {
    return E.left(mtcnnError("InputError", "a prediction score is not a finite number"));
  }
  let min = 1, max = 0;
  for (const im of images) {
    for (const p of im.predictions) min = Math.min(min, p.score), max = Math.max(max, p.score);
  }
  // All scores equal: every prediction counts at every threshold (the official code divides by 0).
  const norm = (s: number): number => (max > min ? (s - min) / (max - min) : 1);
  const sorted = images.map((im) =>
    im.predictions.map((p) => ({ box: p.box, score: norm(p.score) })).sort((a, b) =>
      b.score - a.score
    )
  );
  const settings = splits ?? { all: undefined };
  const out: Record<string, WiderApResult> = {};
  for (const setting of Object.keys(settings)) {
    const index = splits?.[setting];
    const props = new Float64Array(n), hits = new Float64Array(n);
    let faces = 0;
    for (let i = 0; i < images.length; i++) {
      const { name, gt } = images[i];
      const listed = index ? index.get(splitKey(name)) : gt.map((_, k) => k);
      if (listed === undefined) {
        return E.left(mtcnnError("InputError", `image ${name} is not in the "${setting}" split`));
      }
      if (listed.some((k) => k >= gt.length)) {
        return E.left(
          mtcnnError(
            "FormatError",
            `"${setting}" split counts face ${
              Math.max(...listed)
            } of ${name}, which has ${gt.length}`,
          ),
        );
      }
      faces += listed.length;
      if (gt.length === 0 || sorted[i].length === 0) continue;
      accumulateImage(gt, sorted[i], new Set(listed), iou, props, hits);
    }
    const precision = [...props].map((p, k) => hits[k] / p);
    const recall = [...hits].map((h) => h / faces);
    out[setting] = { ap: faces > 0 ? vocAp(recall, precision) : NaN, faces, precision, recall };
  }
  return E.right(out);
};
