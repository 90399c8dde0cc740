/**
 * Writing a training set: samples are buffered into shards of a fixed count, each shard is
 * shuffled (seeded) and written atomically, and `index.json` is written last, so a folder
 * with an index always holds a complete set.
 *
 * @module
 */
import { join } from "node:path";
import { derivePrng, shuffleInPlace } from "../../../lib/train/prng.ts";
import {
  encodeShard,
  type Sample,
  type ShardEntry,
  type ShardIndex,
} from "../../../lib/train/shard_format.ts";
import { writeFileAtomic } from "../atomic.ts";

/** A writer for one training set. */
export interface ShardWriter {
  /** Adds a sample; writes a shard when the buffer is full. */
  add(s: Sample): Promise<void>;
  /** Writes the last shard and the index; returns the index. */
  finish(provenance?: unknown): Promise<ShardIndex>;
  /** Samples added so far. */
  readonly total: () => number;
}

const KIND: Record<number, "neg" | "pos" | "part" | "landmark"> = {
  0: "neg",
  1: "pos",
  [-1]: "part",
  [-2]: "landmark",
};

/**
 * Opens a writer into folder `dir` (created if needed) for samples of side `side`.
 *
 * @example
 * ```ts
 * import { openShardWriter } from "./shard_writer.ts";
 * const w = await openShardWriter(await Deno.makeTempDir(), "pnet", 12, { seed: 1 });
 * await w.add({ image: new Uint8Array(432), label: 0, box: [0, 0, 0, 0], landmarks: new Array(10).fill(0) });
 * console.log((await w.finish()).total); // 1
 * ```
 */
export const openShardWriter = async (
  dir: string,
  net: string,
  side: number,
  opts: { seed: number; shardSize?: number },
): Promise<ShardWriter> => {
  await Deno.mkdir(dir, { recursive: true });
  const shardSize = opts.shardSize ?? 4096;
  let buf: Sample[] = [];
  const shards: ShardEntry[] = [];
  const counts = { neg: 0, pos: 0, part: 0, landmark: 0 };
  let total = 0;
  const flush = async () => {
    if (buf.length === 0) return;
    shuffleInPlace(buf, derivePrng(opts.seed, shards.length, 77));
    const file = `shard-${String(shards.length).padStart(5, "0")}.bin`;
    await writeFileAtomic(join(dir, file), encodeShard(side, buf));
    shards.push({ file, count: buf.length });
    buf = [];
  };
  return {
    total: () => total,
    async add(s) {
      buf.push({
        image: s.image.slice(),
        label: s.label,
        box: Array.from(s.box),
        landmarks: Array.from(s.landmarks),
      });
      counts[KIND[s.label]]++;
      total++;
      if (buf.length >= shardSize) await flush();
    },
    async finish(provenance) {
      await flush();
      const index: ShardIndex = {
        format: "mtcnn-shards",
        version: 1,
        net,
        side,
        total,
        counts,
        shards,
        ...(provenance === undefined ? {} : { provenance }),
      };
      await writeFileAtomic(
        join(dir, "index.json"),
        new TextEncoder().encode(JSON.stringify(index, null, 1)),
      );
      return index;
    },
  };
};
