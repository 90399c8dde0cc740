/**
 * Every sample of a set once, in stored order, in batches of at most `batchSize`: the last
 * batch holds the rest. Validation uses it so that a set of 435 samples is scored on 435, not
 * on the full batches only (as training's {@linkcode epochBatches} gives them).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import type { MtcnnError } from "../../../lib/errors.ts";
import type { Result } from "../../../lib/result.ts";
import { shardSample } from "../../../lib/train/shard_format.ts";
import { type Dataset, type HostBatch, newBatch, putSample, readShard } from "./shard_reader.ts";

/**
 * The batches of one pass over every sample of `ds` (no shuffling). A shard that cannot be
 * read or is damaged ends the stream with one Left naming it.
 *
 * @example
 * ```ts
 * import { openDataset } from "./shard_reader.ts";
 * import { validationBatches } from "./validation_batches.ts";
 * const ds = await openDataset("/tmp/sets/onet_val");
 * if (ds._tag === "Right") {
 *   let n = 0;
 *   for await (const b of validationBatches(ds.right, 256)) if (b._tag === "Right") n += b.right.size;
 *   console.log(n === ds.right.index.total); // true
 * }
 * ```
 */
export async function* validationBatches(
  ds: Dataset,
  batchSize: number,
): AsyncGenerator<Result<MtcnnError, HostBatch>> {
  const side = ds.index.side;
  const px = side * side * 3;
  const size = Math.max(1, Math.floor(batchSize));
  let left = ds.index.total;
  let b = newBatch(Math.min(size, left), px);
  let fill = 0;
  for (let si = 0; si < ds.index.shards.length && left > 0; si++) {
    const r = await readShard(ds, si);
    if (r._tag === "Left") {
      yield r;
      return;
    }
    for (let k = 0; k < ds.index.shards[si].count && left > 0; k++) {
      putSample(b, fill, shardSample(r.right, k), px);
      left--;
      if (++fill === b.size) {
        yield E.right(b);
        if (left > 0) b = newBatch(Math.min(size, left), px);
        fill = 0;
      }
    }
  }
}
