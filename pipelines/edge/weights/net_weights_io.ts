/**
 * Where training gets its starting weights and puts its results: the embedded pretrained
 * weights, seeded random ones, a joblib `.lz4` file, or a training checkpoint; and export of
 * trained weights to `.lz4` (the Python package's format) and a tfjs manifest + shard.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { dirname, join } from "node:path";
import { decodeNetWeights, encodeNetWeights } from "../../../lib/codecs/weights_codec.ts";
import { netWeightsToTfjs } from "../../../lib/codecs/tfjs_net_weights.ts";
import { encodeTfjsTensors } from "../../../lib/codecs/tfjs_weights.ts";
import { describe, type MtcnnError, mtcnnError } from "../../../lib/errors.ts";
import type { Result } from "../../../lib/result.ts";
import { NET_SPECS, type NetName } from "../../../lib/spec.ts";
import { decodeCheckpoint } from "../../../lib/train/checkpoint_format.ts";
import { initWeights } from "../../../lib/train/init_weights.ts";
import { loadDefaultWeights } from "../../../lib/weights/default_weights.ts";
import { type NetWeights, weightsFromArrays } from "../../../lib/weights/record.ts";
import { writeFileAtomic } from "../atomic.ts";

/**
 * Loads one net's weights from `source`: `default` (embedded pretrained), `random` or
 * `random:SEED` (seeded Glorot, seed defaults to `seed`), a `.lz4` joblib file, or a training
 * checkpoint (`checkpoint.bin`, or a folder holding one).

 *
 * @example
 * ```ts
 * import { loadNetWeights } from "@mtcnn/mtcnn/train";
 * const w = await loadNetWeights("onet", "runs/onet/checkpoint.bin");
 * if (w._tag === "Right") console.log(w.right.net);
 * ```
 */
export const loadNetWeights = async <N extends NetName>(
  net: N,
  source: string,
  seed = 0,
): Promise<Result<MtcnnError, NetWeights<N>>> => {
  if (source === "default") {
    const w = await loadDefaultWeights();
    return w._tag === "Left" ? w : E.right(w.right[net] as unknown as NetWeights<N>);
  }
  if (source === "random" || source.startsWith("random:")) {
    const s = source === "random" ? seed : Number(source.slice(7));
    if (!Number.isInteger(s)) return E.left(mtcnnError("OptionError", `bad seed in ${source}`));
    return E.right(initWeights(net, s));
  }
  let path = source;
  let bytes: Uint8Array;
  try {
    if ((await Deno.stat(path)).isDirectory) path = join(path, "checkpoint.bin");
    bytes = await Deno.readFile(path);
  } catch (e) {
    return E.left(mtcnnError("IoError", `${path}: cannot read weights (${describe(e)})`, e));
  }
  if (path.endsWith(".lz4") || path.endsWith(".pkl") || path.endsWith(".joblib")) {
    return decodeNetWeights(net, bytes);
  }
  const ck = decodeCheckpoint<{ net: string }>(bytes, path);
  if (ck._tag === "Left") return ck;
  if (ck.right.meta.net !== net) {
    return E.left(mtcnnError("WeightsError", `${path} holds ${ck.right.meta.net}, not ${net}`));
  }
  return weightsFromArrays(
    net,
    NET_SPECS[net].map((p) => ({ shape: p.shape, data: ck.right.arrays[`w/${p.name}`] })),
  );
};

/**
 * Writes trained weights as `<stem>.lz4` and a tfjs `<stem>.json` manifest with its shard,
 * atomically. Returns the paths written.

 *
 * @example
 * ```ts
 * import { exportNetWeights, initWeights } from "@mtcnn/mtcnn/train";
 * const r = await exportNetWeights(initWeights("pnet", 1), "/tmp/pnet");
 * if (r._tag === "Right") console.log(r.right); // [".../pnet.lz4", ".../pnet-shard1of1.bin", ".../pnet.json"]
 * ```
 */
export const exportNetWeights = async <N extends NetName>(
  w: NetWeights<N>,
  stem: string,
): Promise<Result<MtcnnError, string[]>> => {
  const lz4 = encodeNetWeights(w as NetWeights<"pnet">);
  if (lz4._tag === "Left") return lz4;
  const name = stem.split("/").pop()!;
  const tfjs = encodeTfjsTensors(netWeightsToTfjs(w as NetWeights<"pnet">), name);
  const written: string[] = [];
  try {
    await writeFileAtomic(`${stem}.lz4`, lz4.right);
    written.push(`${stem}.lz4`);
    for (const s of tfjs.shards) {
      await writeFileAtomic(join(dirname(stem), s.path), s.bytes);
      written.push(join(dirname(stem), s.path));
    }
    const manifest = new TextEncoder().encode(JSON.stringify(tfjs.manifest, null, 1));
    await writeFileAtomic(`${stem}.json`, manifest);
    written.push(`${stem}.json`);
  } catch (e) {
    return E.left(mtcnnError("IoError", `${stem}: cannot write weights (${describe(e)})`, e));
  }
  return E.right(written);
};
