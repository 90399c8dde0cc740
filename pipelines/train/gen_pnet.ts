/**
 * PNet's training set: 12x12 random crops around and away from every face of every image,
 * labelled by IoU (paper, section 3.1), in the ratio of about 3 negatives : 1 positive :
 * 1 part face : 2 landmark samples, written as shards.
 *
 * @module
 */
import { readBytes } from "../edge/files.ts";
import * as E from "fp-ts/Either.js";
import { fromUnknown, type MtcnnError } from "../../lib/errors.ts";
import type { Result } from "../../lib/result.ts";
import { cropPatch } from "../../lib/train/patch.ts";
import { derivePrng } from "../../lib/train/prng.ts";
import { type SampleCounts, sampleCrops } from "../../lib/train/samples.ts";
import type { ShardIndex } from "../../lib/train/shard_format.ts";
import { decodeRgb } from "../edge/decode.ts";
import { type OnProgress, progressOf } from "../../lib/progress.ts";
import { openShardWriter } from "../edge/train/shard_writer.ts";
import type { TrainingImage } from "../edge/train/training_images.ts";

/** Settings of a generated set. */
export interface GenOptions {
  /** Output folder (created). */
  readonly out: string;
  /** Seed: the same seed and images give the same set. */
  readonly seed: number;
  /** Samples per shard (default 4096). */
  readonly shardSize?: number;
  /** Called with a line per 1,000 images. */
  readonly log?: (line: string) => void;
  /** Called after each image: images done, total, samples written so far. */
  readonly onProgress?: OnProgress;
  /** Free-form description stored in the index. */
  readonly provenance?: unknown;
}

/** PNet's default draw: 6 negatives per image, 2 positives, 2 parts, 4 landmark samples per face. */
export const PNET_COUNTS: SampleCounts = { neg: 6, pos: 2, part: 2, landmark: 4 };

const generatePnetSetUnsafe = async (
  images: readonly TrainingImage[],
  opts: GenOptions & { readonly counts?: SampleCounts },
): Promise<Result<MtcnnError, ShardIndex>> => {
  const w = await openShardWriter(opts.out, "pnet", 12, opts);
  const counts = opts.counts ?? PNET_COUNTS;
  const bar = progressOf(opts.onProgress);
  let skipped = 0;
  for (const [i, im] of images.entries()) {
    bar.update(i, images.length, `${w.total()} samples`);
    if (i % 1000 === 0) opts.log?.(`image ${i}/${images.length}: ${w.total()} samples`);
    const read = await readBytes(im.path);
    if (read._tag === "Left") {
      skipped++;
      opts.log?.(`skipped: ${read.left.message}`);
      continue;
    }
    const bytes = read.right;
    const img = await decodeRgb(bytes, im.path);
    if (img._tag === "Left") {
      skipped++;
      opts.log?.(`skipped: ${img.left.message}`);
      continue;
    }
    const r = derivePrng(opts.seed, i);
    const crops = sampleCrops(r, img.right.width, img.right.height, im.faces, counts);
    for (const c of crops) {
      await w.add({ ...c, image: cropPatch(img.right, c.crop, 12) });
    }
  }
  bar.done();
  const index = await w.finish({ ...(opts.provenance as object ?? {}), skipped });
  opts.log?.(`wrote ${index.total} samples ${JSON.stringify(index.counts)}, skipped ${skipped}`);
  return E.right(index);
};

/**
 * Generates PNet's set from annotated images. Images that fail to decode are skipped and
 * counted (the log names them).

 *
 * @example
 * ```ts
 * import { generatePnetSet, loadTrainingImages } from "@mtcnn/mtcnn/train";
 * const imgs = await loadTrainingImages("faces.json", "json");
 * if (imgs._tag === "Right") {
 *   const r = await generatePnetSet(imgs.right, { out: "/tmp/sets/pnet", seed: 1 });
 *   if (r._tag === "Right") console.log(r.right.counts);
 * }
 * ```
 */
export const generatePnetSet = async (
  images: readonly TrainingImage[],
  opts: GenOptions & { readonly counts?: SampleCounts },
): Promise<Result<MtcnnError, ShardIndex>> => {
  try {
    return await generatePnetSetUnsafe(images, opts);
  } catch (e) {
    return E.left(fromUnknown("IoError", `${opts.out}: cannot write the set`)(e));
  }
};
