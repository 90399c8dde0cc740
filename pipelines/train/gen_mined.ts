/**
 * RNet's (24x24) and ONet's (48x48) training sets, mined as the paper does: the earlier,
 * already trained stages (the detection stages themselves) run over every training image, and
 * each candidate they pass on is cut exactly as the cascade would cut it and labelled by its
 * IoU with the faces. Landmark samples (ONet) are mined candidates that hold all five points.
 * Positives and part faces can be topped up with crops jittered around the faces. With
 * `afterOnet`, the whole cascade runs first and the crops are cut around its final boxes: the
 * samples of a landmark-only ONet (`pipelines/stages/landmarks.ts`).
 *
 * @module
 */
import { readBytes } from "../edge/files.ts";
import * as E from "fp-ts/Either.js";
import { fromUnknown, type MtcnnError } from "../../lib/errors.ts";
import type { RgbImage } from "../../lib/image.ts";
import type { NetTensors } from "../../lib/nets/tensors.ts";
import type { Result } from "../../lib/result.ts";
import { iou } from "../../lib/nms.ts";
import { LABEL } from "../../lib/train/losses.ts";
import { cropPatch } from "../../lib/train/patch.ts";
import { derivePrng, shuffleInPlace } from "../../lib/train/prng.ts";
import { type AnnotatedFace, type Box, labelForIou, sampleCrops } from "../../lib/train/samples.ts";
import type { ShardIndex } from "../../lib/train/shard_format.ts";
import { reframe, type ReframeRange } from "../../lib/train/reframe.ts";
import { stageParams } from "../cascade.ts";
import { cascade } from "../compose.ts";
import { cropNetRunner, pnetRunner } from "../nets/local.ts";
import { cropPixels } from "../nets/crop_pixels.ts";
import { imageState } from "../stages/load.ts";
import { output } from "../stages/output.ts";
import { refine } from "../stages/refine.ts";
import { decodeRgb } from "../edge/decode.ts";
import { type CropPadding, type DetectOptions, resolveOptions } from "../options.ts";
import type { CropState, ImageState, Stage } from "../state.ts";
import { crop } from "../stages/crop.ts";
import { LANDMARK_PADDING } from "../stages/landmarks.ts";
import { propose } from "../stages/propose.ts";
import { pyramid } from "../stages/pyramid.ts";
import type { GenOptions } from "./gen_pnet.ts";
import { progressOf } from "../../lib/progress.ts";
import { openShardWriter, type ShardWriter } from "../edge/train/shard_writer.ts";
import type { TrainingImage } from "../edge/train/training_images.ts";

/** Per-image caps of a mined set. */
export interface MinedCounts {
  /** Mined negatives kept per image (the hardest: highest score first). */
  readonly neg: number;
  /** Mined positives kept per image. */
  readonly pos: number;
  /** Mined part faces kept per image. */
  readonly part: number;
  /** Mined landmark samples per face (ONet only). */
  readonly landmark: number;
  /** Jittered positives / parts / landmark crops added per face (0 = mined only). */
  readonly jitter: number;
}

/** Defaults: about 3 : 1 : 1 : 2, mined first. */
export const MINED_COUNTS: MinedCounts = { neg: 6, pos: 2, part: 2, landmark: 2, jitter: 1 };

/** Mining settings. */
export interface MineOptions extends GenOptions {
  /** Which set: `rnet` (PNet mines) or `onet` (PNet and RNet mine). */
  readonly net: "rnet" | "onet";
  /** The earlier stages' weights. */
  readonly pnet: NetTensors<"pnet">;
  /** RNet's weights (for `onet`). */
  readonly rnet?: NetTensors<"rnet">;
  /** Detection options of the mining cascade (default: the detector's defaults). */
  readonly detect?: DetectOptions;
  /** Caps per image. */
  readonly counts?: MinedCounts;
  /** Landmark samples need IoU >= this with the face box (default 0.4). */
  readonly landmarkIou?: number;
  /** Top the negatives up with random crops when fewer were mined (default false). */
  readonly topUpNegatives?: boolean;
  /** Reframe each image around its face first (see `lib/train/reframe.ts`); default off. */
  readonly reframe?: ReframeRange;
  /**
   * Times each image is mined (default 1); each time it is reframed anew, so with `reframe` it
   * gives as many framings per face. The first pass is the same as with the default.
   */
  readonly repeat?: number;
  /**
   * ONet's weights (`onet` sets only): mine after the full cascade, cutting the 48x48 crops
   * around the final boxes (after ONet's regression and suppression) exactly as the landmark
   * stage cuts them at inference. Default: absent, mine the candidates RNet passes on.
   */
  readonly afterOnet?: NetTensors<"onet">;
  /**
   * With `afterOnet`: how the crops treat the part of a box outside the image, as the landmark
   * stage's `padding` option (default: the stage's, `LANDMARK_PADDING`, zeros).
   */
  readonly landmarkPadding?: CropPadding;
}

const offsetsOf = (b: ArrayLike<number>, f: Box): number[] => {
  const w = b[2] - b[0] + 1;
  const h = b[3] - b[1] + 1;
  return [(f[0] - b[0]) / w, (f[1] - b[1]) / h, (f[2] - b[2]) / w, (f[3] - b[3]) / h];
};

// Inverse of the output stage: x = x1 - 1 + (x2 - x1 + 1) * lx.
const landmarksOf = (b: ArrayLike<number>, lm: readonly number[]): number[] =>
  lm.map((v, i) => i < 5 ? (v - b[0] + 1) / (b[2] - b[0] + 1) : (v - b[1] + 1) / (b[3] - b[1] + 1));

const toBytes = (data: Float32Array, off: number, n: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Math.max(0, Math.min(255, Math.round(data[off + i] * 128 + 127.5)));
  }
  return out;
};

const mineImage = async (
  w: ShardWriter,
  img: RgbImage,
  faces: readonly AnnotatedFace[],
  stages: Stage<ImageState, CropState>,
  o: MineOptions,
  seed: number,
): Promise<Result<MtcnnError, void>> => {
  const start = imageState(
    { image: img, width: img.width, height: img.height, scaleX: 1, scaleY: 1, orientation: 1 },
    false,
    0,
  );
  const st = await stages(start);
  if (st._tag === "Left") return st;
  const { candidates: c, crops } = st.right;
  const side = o.net === "rnet" ? 24 : 48;
  const px = side * side * 3;
  const counts = o.counts ?? MINED_COUNTS;
  const got = { neg: 0, pos: 0, part: 0, landmark: 0 };
  const order = shuffleInPlace(Array.from({ length: c.count }, (_, i) => i), derivePrng(seed, 1));
  order.sort((a, b) => c.scores[b] - c.scores[a]);
  const lmUsed = new Set<number>();
  for (const i of order) {
    if (!crops) break;
    const b = c.boxes.subarray(4 * i, 4 * i + 4);
    let best = -1, bestIou = 0;
    faces.forEach((f, k) => {
      const v = iou([b[0], b[1], b[2], b[3]], f.box);
      if (v > bestIou) [best, bestIou] = [k, v];
    });
    const label = labelForIou(bestIou);
    const image = () => toBytes(cropPixels(crops), i * px, px);
    const f = faces[best];
    const lm = f?.landmarks;
    if (
      o.net === "onet" && lm && !lmUsed.has(best) &&
      got.landmark < counts.landmark * faces.length &&
      bestIou >= (o.landmarkIou ?? 0.4)
    ) {
      const enc = landmarksOf(b, lm);
      if (enc.every((v) => v >= 0 && v <= 1)) {
        await w.add({
          image: image(),
          label: LABEL.landmark,
          box: offsetsOf(b, f.box),
          landmarks: enc,
        });
        got.landmark++;
        if (got.landmark >= counts.landmark * faces.length) lmUsed.add(best);
      }
    }
    const zero10 = new Array(10).fill(0);
    if (label === LABEL.neg && got.neg < counts.neg) {
      await w.add({ image: image(), label, box: [0, 0, 0, 0], landmarks: zero10 });
      got.neg++;
    } else if (label === LABEL.pos && got.pos < counts.pos) {
      await w.add({ image: image(), label, box: offsetsOf(b, f.box), landmarks: zero10 });
      got.pos++;
    } else if (label === LABEL.part && got.part < counts.part) {
      await w.add({ image: image(), label, box: offsetsOf(b, f.box), landmarks: zero10 });
      got.part++;
    }
  }
  // When the earlier stages leave too few false positives to mine (clean one-face photos),
  // random crops away from the faces top the negatives up, so the classifier still sees some.
  const topUp = o.topUpNegatives ? counts.neg - got.neg : 0;
  if (counts.jitter > 0 || topUp > 0) {
    const lmN = o.net === "onet" ? counts.jitter : 0;
    const extra = sampleCrops(derivePrng(seed, 2), img.width, img.height, faces, {
      neg: topUp,
      pos: counts.jitter,
      part: counts.jitter,
      landmark: lmN,
    }, side);
    for (const s of extra) await w.add({ ...s, image: cropPatch(img, s.crop, side) });
  }
  return E.right(undefined);
};

const generateMinedSetUnsafe = async (
  images: readonly TrainingImage[],
  o: MineOptions,
): Promise<Result<MtcnnError, ShardIndex>> => {
  const side = o.net === "rnet" ? 24 : 48;
  const opts = resolveOptions(o.detect);
  if (opts._tag === "Left") return opts;
  const p = stageParams(opts.right);
  const w = await openShardWriter(o.out, o.net, side, o);
  const proposals = cascade(pyramid(p.pyramid), propose(pnetRunner(o.pnet), p.propose));
  const refined = () =>
    cascade(proposals, crop(24, p.crop), refine(cropNetRunner("rnet", o.rnet!), p.refine));
  // The stages mine exactly what the cascade passes on, cut as the next stage would cut it.
  const stages: Stage<ImageState, CropState> = o.net === "rnet"
    ? cascade(proposals, crop(24, p.crop))
    : o.afterOnet
    ? cascade(
      refined(),
      crop(48, p.crop),
      output(cropNetRunner("onet", o.afterOnet), p.output),
      crop(48, { padding: o.landmarkPadding ?? LANDMARK_PADDING }),
    )
    : cascade(refined(), crop(48, p.crop));
  const bar = progressOf(o.onProgress);
  let skipped = 0;
  for (const [i, im] of images.entries()) {
    bar.update(i, images.length, `${w.total()} samples`);
    if (i % 500 === 0) o.log?.(`image ${i}/${images.length}: ${w.total()} samples`);
    const read = await readBytes(im.path);
    if (read._tag === "Left") {
      skipped++;
      o.log?.(`skipped: ${read.left.message}`);
      continue;
    }
    const bytes = read.right;
    const img = await decodeRgb(bytes, im.path);
    if (img._tag === "Left") {
      skipped++;
      o.log?.(`skipped: ${img.left.message}`);
      continue;
    }
    // Pass 0 keeps the seeds of a single pass; later passes derive theirs from (seed, image, pass).
    for (let p = 0; p < Math.max(1, o.repeat ?? 1); p++) {
      let image = img.right;
      let faces = im.faces;
      if (o.reframe && faces.length === 1) {
        const prng = p === 0 ? derivePrng(o.seed, i, 3) : derivePrng(o.seed, i, 3, p);
        const f = reframe(image, faces[0], prng, o.reframe);
        if (f) [image, faces] = [f.image, [f.face]];
      }
      const seed = p === 0
        ? (o.seed ^ (i * 2654435761)) >>> 0
        : derivePrng(o.seed, i, 4, p).int(0, 0xffffffff);
      const r = await mineImage(w, image, faces, stages, o, seed);
      if (r._tag === "Left") return r;
    }
  }
  bar.done();
  const index = await w.finish({ ...(o.provenance as object ?? {}), skipped });
  o.log?.(`wrote ${index.total} samples ${JSON.stringify(index.counts)}, skipped ${skipped}`);
  return E.right(index);
};

/** Mines RNet's or ONet's set over annotated images.
 *
 * @example
 * ```ts
 * import { generateMinedSet, loadTrainingImages, toTensors } from "@mtcnn/mtcnn/train";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * const imgs = await loadTrainingImages("faces.json", "json");
 * if (w._tag === "Right" && imgs._tag === "Right") {
 *   const r = await generateMinedSet(imgs.right, {
 *     net: "rnet", pnet: toTensors(w.right.pnet), out: "/tmp/sets/rnet", seed: 1,
 *   });
 *   if (r._tag === "Right") console.log(r.right.total);
 * }
 * ```
 */
export const generateMinedSet = async (
  images: readonly TrainingImage[],
  o: MineOptions,
): Promise<Result<MtcnnError, ShardIndex>> => {
  try {
    return await generateMinedSetUnsafe(images, o);
  } catch (e) {
    return E.left(fromUnknown("IoError", `${o.out}: cannot write the set`)(e));
  }
};
