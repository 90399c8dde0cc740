/**
 * Where a network's weights come from: a file path (any supported format), the bytes of a
 * joblib file, or a weight record built in code. Every source ends as a checked record, so a
 * wrong shape, NaN or Inf is an error naming the layer and its expected shape.
 *
 * @module
 */
import * as TE from "fp-ts/TaskEither.js";
import { decodeNetWeights } from "../lib/codecs/weights_codec.ts";
import { type MtcnnError, mtcnnError } from "../lib/errors.ts";
import type { TaskResult } from "../lib/result.ts";
import type { NetName } from "../lib/spec.ts";
import { checkWeights, type NetWeights } from "../lib/weights/record.ts";
import { looksLikeJson, readNetWeightsFile } from "./edge/weights_files.ts";

/** A weights source: a file path, joblib bytes (`.lz4` or plain), or a weight record. */
export type WeightsSource<N extends NetName> = string | Uint8Array | NetWeights<N>;

/**
 * The checked weights of network `net` from a path (`.lz4`, `.pkl`, `.joblib`, tfjs `.json`),
 * from joblib bytes, or from a record (checked with `checkWeights`).
 *
 * @example
 * ```ts
 * import { resolveNetWeights } from "@mtcnn/mtcnn";
 * const r = await resolveNetWeights("onet", "weights/onet.lz4")();
 * if (r._tag === "Left") console.error(r.left.message); // e.g. names a layer of wrong shape
 * ```
 */
export const resolveNetWeights = <N extends NetName>(
  net: N,
  source: WeightsSource<N>,
): TaskResult<MtcnnError, NetWeights<N>> => {
  if (typeof source === "string") return readNetWeightsFile(net, source);
  if (source instanceof Uint8Array) {
    if (looksLikeJson(source)) {
      return TE.left(
        mtcnnError(
          "WeightsError",
          `${net} weights: bytes of a tfjs manifest cannot be read without their shard files; ` +
            "pass the manifest's path instead",
        ),
      );
    }
    return TE.fromEither(decodeNetWeights(net, source));
  }
  if (typeof source === "object" && source !== null && "params" in source) {
    return TE.fromEither(checkWeights(net, source));
  }
  return TE.left(
    mtcnnError(
      "WeightsError",
      `${net} weights must be a file path, bytes or a weight record, got ${typeof source}`,
    ),
  );
};
