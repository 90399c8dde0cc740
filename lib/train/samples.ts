/**
 * Training samples for the three nets: square crops of an annotated image, labelled by their
 * IoU with the faces (the paper's thresholds: positive >= 0.65, part 0.4 to 0.65, negative
 * < 0.3), with the guide's target encodings.
 *
 * @module
 */
import { iou } from "../nms.ts";
import { LABEL } from "./losses.ts";
import type { Prng } from "./prng.ts";

/** A box [x1, y1, x2, y2] in pixels (x2, y2 exclusive edges). */
export type Box = readonly [number, number, number, number];

/** One annotated face: a box and optionally five landmarks (x1..x5 then y1..y5). */
export interface AnnotatedFace {
  /** The face box. */
  readonly box: Box;
  /** Left eye, right eye, nose, left and right mouth corners: x1..x5, y1..y5 in pixels. */
  readonly landmarks?: readonly number[];
}

/** A square crop: top-left corner and side, integer pixels. */
export interface Crop {
  /** Left edge. */
  readonly x: number;
  /** Top edge. */
  readonly y: number;
  /** Side length. */
  readonly size: number;
}

/** A labelled crop: label, box offsets and landmark targets (zeros when they do not apply). */
export interface LabelledCrop {
  /** The crop in image pixels. */
  readonly crop: Crop;
  /** 1 face, 0 non-face, -1 part face, -2 landmark. */
  readonly label: number;
  /** [x1, y1, x2, y2] offsets of the face box from the crop's corners, over the crop size. */
  readonly box: readonly number[];
  /** Landmarks relative to the crop: x1..x5 then y1..y5, each (p - corner) / size. */
  readonly landmarks: readonly number[];
}

/** IoU thresholds (paper, section 3.1). */
export const IOU = { pos: 0.65, part: 0.4, neg: 0.3 } as const;

/**
 * The label a crop gets from its best IoU: 1 (>= 0.65), -1 (0.4 to 0.65), 0 (< 0.3), or
 * undefined between 0.3 and 0.4 (not used, as in the paper).
 */
export const labelForIou = (v: number): number | undefined =>
  v >= IOU.pos ? LABEL.pos : v >= IOU.part ? LABEL.part : v < IOU.neg ? LABEL.neg : undefined;

/** The box of a crop. */
export const cropBox = (c: Crop): Box => [c.x, c.y, c.x + c.size, c.y + c.size];

/** Box offsets of `face` relative to crop `c` (the guide's encoding). */
export const encodeBox = (c: Crop, face: Box): number[] => [
  (face[0] - c.x) / c.size,
  (face[1] - c.y) / c.size,
  (face[2] - (c.x + c.size)) / c.size,
  (face[3] - (c.y + c.size)) / c.size,
];

/** Landmarks (x1..x5, y1..y5) relative to crop `c`. */
export const encodeLandmarks = (c: Crop, lm: readonly number[]): number[] =>
  lm.map((v, i) => (v - (i < 5 ? c.x : c.y)) / c.size);

const ZERO4: readonly number[] = [0, 0, 0, 0];
const ZERO10: readonly number[] = new Array(10).fill(0);

/**
 * Labels a crop against every face: the best-IoU face gives the label and box target.
 * Returns undefined for crops in the unused IoU band.
 */
export const labelCrop = (c: Crop, faces: readonly AnnotatedFace[]): LabelledCrop | undefined => {
  let best = -1;
  let bestIou = 0;
  faces.forEach((f, i) => {
    const v = iou(cropBox(c), f.box);
    if (v > bestIou) [best, bestIou] = [i, v];
  });
  const label = labelForIou(bestIou);
  if (label === undefined) return undefined;
  const box = label === LABEL.neg ? ZERO4 : encodeBox(c, faces[best].box);
  return { crop: c, label, box, landmarks: ZERO10 };
};

/** How many crops of each kind to draw per image (PNet) or per face. */
export interface SampleCounts {
  /** Negatives per image. */
  readonly neg: number;
  /** Positives per face. */
  readonly pos: number;
  /** Part faces per face. */
  readonly part: number;
  /** Landmark samples per face with landmarks. */
  readonly landmark: number;
}

const inside = (c: Crop, w: number, h: number): boolean =>
  c.x >= 0 && c.y >= 0 && c.x + c.size <= w && c.y + c.size <= h && c.size >= 1;

const around = (r: Prng, f: AnnotatedFace, lo: number, hi: number, shift: number): Crop => {
  const [x1, y1, x2, y2] = f.box;
  const w = x2 - x1;
  const h = y2 - y1;
  const size = Math.floor(r.uniform(lo * Math.min(w, h), hi * Math.max(w, h)));
  const dx = r.uniform(-shift, shift) * w;
  const dy = r.uniform(-shift, shift) * h;
  return {
    x: Math.floor(x1 + w / 2 + dx - size / 2),
    y: Math.floor(y1 + h / 2 + dy - size / 2),
    size,
  };
};

/**
 * Draws labelled crops from one image, as the paper's PNet generation does: random negatives
 * anywhere (IoU < 0.3 with every face), positives and part faces from crops jittered around each
 * face (side 0.8 min to 1.25 max of the face, centre shifted by up to 20%), and landmark
 * samples (IoU >= 0.65, all five points inside, shift up to 10%). Crops lie inside the image and
 * are at least `minSize` px. Rejection sampling stops after `tries` draws per wanted crop.
 */
export const sampleCrops = (
  r: Prng,
  width: number,
  height: number,
  faces: readonly AnnotatedFace[],
  counts: SampleCounts,
  minSize = 12,
  tries = 30,
): LabelledCrop[] => {
  const out: LabelledCrop[] = [];
  const maxSide = Math.min(width, height);
  if (maxSide < minSize) return out;
  for (let got = 0, t = 0; got < counts.neg && t < counts.neg * tries; t++) {
    const size = r.int(minSize, Math.max(minSize, Math.floor(maxSide / 2)));
    const c = { x: r.int(0, width - size), y: r.int(0, height - size), size };
    const l = labelCrop(c, faces);
    if (l?.label === LABEL.neg) {
      out.push(l);
      got++;
    }
  }
  for (const f of faces) {
    if (Math.min(f.box[2] - f.box[0], f.box[3] - f.box[1]) < minSize) continue;
    let pos = 0;
    let part = 0;
    for (let t = 0; (pos < counts.pos || part < counts.part) && t < tries * 4; t++) {
      const c = around(r, f, 0.8, 1.25, 0.2);
      if (c.size < minSize || !inside(c, width, height)) continue;
      const v = iou(cropBox(c), f.box);
      if (v >= IOU.pos && pos < counts.pos) {
        out.push({ crop: c, label: LABEL.pos, box: encodeBox(c, f.box), landmarks: ZERO10 });
        pos++;
      } else if (v >= IOU.part && v < IOU.pos && part < counts.part) {
        out.push({ crop: c, label: LABEL.part, box: encodeBox(c, f.box), landmarks: ZERO10 });
        part++;
      }
    }
    const lm = f.landmarks;
    if (!lm || lm.length !== 10) continue;
    for (let got = 0, t = 0; got < counts.landmark && t < counts.landmark * tries; t++) {
      const c = got === 0 && t === 0 ? around(r, f, 1, 1, 0) : around(r, f, 0.8, 1.25, 0.1);
      if (c.size < minSize || !inside(c, width, height)) continue;
      if (iou(cropBox(c), f.box) < IOU.pos) continue;
      const enc = encodeLandmarks(c, lm);
      if (enc.some((v) => v < 0 || v > 1)) continue;
      out.push({ crop: c, label: LABEL.landmark, box: encodeBox(c, f.box), landmarks: enc });
      got++;
    }
  }
  return out;
};
