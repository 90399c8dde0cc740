/**
 * Reading a training set as a stream of batches: one shard in memory at a time, a seeded
 * order per epoch (shards shuffled, records shuffled within each shard), and the ability to
 * start at any step of an epoch, so that a resumed run sees exactly the batches an
 * uninterrupted one would.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { join } from "node:path";
import { describe, type MtcnnError, mtcnnError } from "../../../lib/errors.ts";
import type { Result } from "../../../lib/result.ts";
import { derivePrng, shuffleInPlace } from "../../../lib/train/prng.ts";
import {
  decodeShard,
  parseShardIndex,
  type Shard,
  type ShardIndex,
  shardSample,
} from "../../../lib/train/shard_format.ts";

/** An opened training set. */
export interface Dataset {
  /** Its folder. */
  readonly dir: string;
  /** Its index. */
  readonly index: ShardIndex;
}

/** A batch on the host: normalized NHWC pixels and targets. */
export interface HostBatch {
  /** Samples in the batch. */
  readonly size: number;
  /** size * side * side * 3 values, (x - 127.5) / 128 as the nets expect. */
  readonly images: Float32Array;
  /** Labels. */
  readonly labels: Int8Array;
  /** size * 4 box offsets. */
  readonly box: Float32Array;
  /** size * 10 landmarks. */
  readonly landmarks: Float32Array;
}

/** Opens a set's index (the shards are read lazily).
 *
 * @example
 * ```ts
 * import { epochBatches, openDataset } from "@mtcnn/mtcnn/train";
 * const ds = await openDataset("/tmp/sets/pnet");
 * if (ds._tag === "Right") {
 *   for await (const b of epochBatches(ds.right, 1, 0, 256)) {
 *     if (b._tag === "Right") console.log(b.right.size);
 *   }
 * }
 * ```
 */
export const openDataset = async (dir: string): Promise<Result<MtcnnError, Dataset>> => {
  try {
    const text = await Deno.readTextFile(join(dir, "index.json"));
    const r = parseShardIndex(text, join(dir, "index.json"));
    return r._tag === "Left" ? r : E.right({ dir, index: r.right });
  } catch (e) {
    return E.left(mtcnnError("IoError", `${dir}: cannot read index.json (${describe(e)})`, e));
  }
};

/** Reads and checks shard `i`; a damaged shard is a FormatError naming its file. */
export const readShard = async (ds: Dataset, i: number): Promise<Result<MtcnnError, Shard>> => {
  const path = join(ds.dir, ds.index.shards[i].file);
  try {
    return decodeShard(await Deno.readFile(path), path);
  } catch (e) {
    return E.left(mtcnnError("IoError", `${path}: cannot read (${describe(e)})`, e));
  }
};

/** Number of full batches per epoch (the last partial batch is dropped). */
export const stepsPerEpoch = (ds: Dataset, batchSize: number): number =>
  Math.floor(ds.index.total / batchSize);

/**
 * The batches of one epoch from step `fromStep` on. Order depends only on (seed, epoch).
 * A shard that cannot be read or is damaged ends the stream with one Left naming it.
 *
 * @example
 * ```ts
 * import { epochBatches, openDataset } from "@mtcnn/mtcnn/train";
 * const ds = await openDataset("/tmp/sets/pnet_train");
 * if (ds._tag === "Right") {
 *   for await (const b of epochBatches(ds.right, 1, 0, 256)) if (b._tag === "Left") break;
 * }
 * ```
 */
export async function* epochBatches(
  ds: Dataset,
  seed: number,
  epoch: number,
  batchSize: number,
  fromStep = 0,
): AsyncGenerator<Result<MtcnnError, HostBatch>> {
  const side = ds.index.side;
  const px = side * side * 3;
  const order = shuffleInPlace(ds.index.shards.map((_, i) => i), derivePrng(seed, epoch, 1));
  const steps = stepsPerEpoch(ds, batchSize);
  let skip = fromStep * batchSize;
  let b = newBatch(batchSize, px);
  let fill = 0;
  let step = fromStep;
  for (const si of order) {
    if (step >= steps) return;
    const count = ds.index.shards[si].count;
    if (skip >= count) {
      skip -= count;
      continue;
    }
    const r = await readShard(ds, si);
    if (r._tag === "Left") {
      yield r;
      return;
    }
    const perm = shuffleInPlace(
      Array.from({ length: count }, (_, i) => i),
      derivePrng(seed, epoch, 2 + si),
    );
    for (let k = skip; k < count; k++) {
      putSample(b, fill, shardSample(r.right, perm[k]), px);
      if (++fill === batchSize) {
        yield E.right(b);
        step++;
        if (step >= steps) return;
        b = newBatch(batchSize, px);
        fill = 0;
      }
    }
    skip = 0;
  }
}

/** An empty host batch of `n` samples of `px` values each. */
export const newBatch = (n: number, px: number): HostBatch => ({
  size: n,
  images: new Float32Array(n * px),
  labels: new Int8Array(n),
  box: new Float32Array(n * 4),
  landmarks: new Float32Array(n * 10),
});

/** Writes a stored sample into slot `at` of `b`, pixels scaled to the nets' input range. */
export const putSample = (
  b: HostBatch,
  at: number,
  s: ReturnType<typeof shardSample>,
  px: number,
): void => {
  for (let j = 0; j < px; j++) b.images[at * px + j] = (s.image[j] - 127.5) / 128;
  b.labels[at] = s.label;
  b.box.set(s.box, at * 4);
  b.landmarks.set(s.landmarks, at * 10);
};
