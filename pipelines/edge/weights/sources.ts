/**
 * Where a network's weights come from: a file path (any supported format), the bytes of a
 * joblib file, or a weight record built in code. Every source ends as a checked record, so a
 * wrong shape, NaN or Inf is an error naming the layer and its expected shape.
 *
 * @module
 */
import { pipe } from "fp-ts/function.js";
import * as TE from "fp-ts/TaskEither.js";
import { decodeNetWeights } from "../../../lib/codecs/weights_codec.ts";
import { type MtcnnError, mtcnnError } from "../../../lib/errors.ts";
import type { Result, TaskResult } from "../../../lib/result.ts";
import type { NetName } from "../../../lib/spec.ts";
import { loadDefaultWeights } from "../../../lib/weights/default_weights.ts";
import { checkWeights, type MtcnnWeights, type NetWeights } from "../../../lib/weights/record.ts";
import { looksLikeJson, readNetWeightsFile } from "./files.ts";

/** A weights source: a file path, joblib bytes (`.lz4` or plain), or a weight record. */
export type WeightsSource<N extends NetName> = string | Uint8Array | NetWeights<N>;

/**
 * The checked weights of network `net` from a path (`.lz4`, `.pkl`, `.joblib`, tfjs `.json`),
 * from joblib bytes, or from a record (checked with `checkWeights`).
 */
export const readNetWeights = <N extends NetName>(
  net: N,
  source: WeightsSource<N>,
): Promise<Result<MtcnnError, NetWeights<N>>> => netWeightsTask(net, source)();

const netWeightsTask = <N extends NetName>(
  net: N,
  source: WeightsSource<N>,
): TaskResult<MtcnnError, NetWeights<N>> => {
  if (typeof source === "string") return () => readNetWeightsFile(net, source);
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

/** A source for any of the three networks; a network left out keeps its default weights. */
export interface MtcnnWeightsSources {
  /** PNet's weights. Default: the embedded pretrained PNet. */
  readonly pnet?: WeightsSource<"pnet">;
  /** RNet's weights. Default: the embedded pretrained RNet. */
  readonly rnet?: WeightsSource<"rnet">;
  /** ONet's weights. Default: the embedded pretrained ONet. */
  readonly onet?: WeightsSource<"onet">;
}

/**
 * The weights of the whole cascade: each network from its source (see
 * {@linkcode readNetWeights}), the embedded pretrained weights for those without one.
 */
export const readWeights = (
  sources: MtcnnWeightsSources = {},
): Promise<Result<MtcnnError, MtcnnWeights>> => {
  // The embedded weights are decoded (and their SHA-256 checked) at most once, when needed.
  let cached: Promise<Result<MtcnnError, MtcnnWeights>> | undefined;
  const defaults = () => (cached ??= loadDefaultWeights());
  const one = <N extends NetName>(
    net: N,
    source: WeightsSource<N> | undefined,
  ): TaskResult<MtcnnError, NetWeights<N>> =>
    source !== undefined
      ? netWeightsTask(net, source)
      : pipe(defaults, TE.map((d) => d[net] as unknown as NetWeights<N>));
  return pipe(
    TE.Do,
    TE.bind("pnet", () => one("pnet", sources.pnet)),
    TE.bind("rnet", () => one("rnet", sources.rnet)),
    TE.bind("onet", () => one("onet", sources.onet)),
  )();
};
