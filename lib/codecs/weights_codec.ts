/**
 * Network weights to and from joblib bytes (the Python mtcnn package's `.lz4` files and plain
 * joblib pickles): a list of arrays in Keras `get_weights()` order, checked against the spec,
 * so that a wrong shape, NaN or Inf is an error naming the layer and the expected shape.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import { NET_SPECS, type NetName } from "../spec.ts";
import {
  checkWeights,
  type NetWeights,
  type ShapedArray,
  weightsFromArrays,
  weightsToArrays,
} from "../weights/record.ts";
import { decodeJoblib } from "./joblib.ts";
import { encodeJoblib, type JoblibEncodeOptions } from "./joblib_write.ts";

/** The weights of any one of the three networks; `net` tells which. */
export type AnyNetWeights = NetWeights<"pnet"> | NetWeights<"rnet"> | NetWeights<"onet">;

const NETS: readonly NetName[] = ["pnet", "rnet", "onet"];

/**
 * Which network a list of arrays (Keras order) is for, told by the count of arrays (PNet 13,
 * RNet 16, ONet 21) and the first kernel's shape. A `WeightsError` when neither fits.
 */
export const guessNet = (arrays: readonly ShapedArray[]): Result<MtcnnError, NetName> => {
  const first = arrays[0]?.shape.join(",");
  const net = NETS.find((n) =>
    NET_SPECS[n].length === arrays.length && NET_SPECS[n][0].shape.join(",") === first
  );
  if (net) return E.right(net);
  const counts = NETS.map((n) => `${n} ${NET_SPECS[n].length}`).join(", ");
  return E.left(
    mtcnnError(
      "WeightsError",
      `${arrays.length} arrays starting with shape (${first ?? ""}) fit no network ` +
        `(arrays: ${counts}); name the network (--net)`,
    ),
  );
};

/**
 * Checked weights of network `net` from arrays in Keras order, or, without `net`, of the
 * network the arrays fit ({@linkcode guessNet}).
 */
export const netWeightsFromArrays = (
  arrays: readonly ShapedArray[],
  net?: NetName,
): Result<MtcnnError, AnyNetWeights> => {
  const which = net ? E.right(net) : guessNet(arrays);
  if (which._tag === "Left") return which;
  const w = weightsFromArrays(which.right, arrays) as Result<MtcnnError, AnyNetWeights>;
  if (w._tag === "Right" || !net) return w;
  // Say which network the file holds when it is not the one asked for.
  const guess = guessNet(arrays);
  return guess._tag === "Right" && guess.right !== net
    ? E.left({ ...w.left, message: `${w.left.message} (the file holds ${guess.right} weights)` })
    : w;
};

/**
 * Decodes the weights of network `net` from joblib bytes (LZ4-framed or plain). A malformed
 * file is a `FormatError`; a wrong count, shape, NaN or Inf is a `WeightsError` naming the
 * layer and its expected shape.
 *
 * @example
 * ```ts
 * import { decodeNetWeights } from "@mtcnn/mtcnn/weights";
 * const r = decodeNetWeights("pnet", await Deno.readFile("pnet.lz4"));
 * if (r._tag === "Right") console.log(r.right.params["conv1/kernel"].length); // 270
 * else console.error(r.left.message);
 * ```
 */
export const decodeNetWeights = <N extends NetName>(
  net: N,
  bytes: Uint8Array,
): Result<MtcnnError, NetWeights<N>> => {
  const arrays = decodeJoblib(bytes);
  return arrays._tag === "Left"
    ? arrays
    : netWeightsFromArrays(arrays.right, net) as Result<MtcnnError, NetWeights<N>>;
};

/**
 * Decodes joblib bytes holding the weights of whichever network they fit (see
 * {@linkcode guessNet}); `result.net` tells which.
 *
 * @example
 * ```ts
 * import { decodeAnyNetWeights } from "@mtcnn/mtcnn/weights";
 * const r = decodeAnyNetWeights(await Deno.readFile("weights.lz4"));
 * if (r._tag === "Right") console.log(r.right.net); // e.g. "onet"
 * ```
 */
export const decodeAnyNetWeights = (bytes: Uint8Array): Result<MtcnnError, AnyNetWeights> => {
  const arrays = decodeJoblib(bytes);
  return arrays._tag === "Left" ? arrays : netWeightsFromArrays(arrays.right);
};

/**
 * Checks a weight record of any network (right names, shapes, finite values), as
 * `checkWeights` does for a known network.
 */
export const checkAnyNetWeights = (weights: AnyNetWeights): Result<MtcnnError, AnyNetWeights> => {
  const net = weights?.net;
  if (!NETS.includes(net)) {
    return E.left(mtcnnError("WeightsError", `not a weight record (net is ${String(net)})`));
  }
  return checkWeights(net, weights as NetWeights<NetName>) as Result<MtcnnError, AnyNetWeights>;
};

/**
 * Encodes checked weights as a joblib file that Python's `joblib.load` reads back to the
 * list `model.get_weights()` gives (LZ4-framed by default, as the Python package's `.lz4`).
 *
 * @example
 * ```ts
 * import { encodeNetWeights, loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const bytes = encodeNetWeights(w.right.onet);
 *   if (bytes._tag === "Right") await Deno.writeFile("onet.lz4", bytes.right);
 * }
 * ```
 */
export const encodeNetWeights = (
  weights: AnyNetWeights,
  options: JoblibEncodeOptions = {},
): Result<MtcnnError, Uint8Array> => {
  const ok = checkAnyNetWeights(weights);
  return ok._tag === "Left" ? ok : encodeJoblib(weightsToArrays(ok.right), options);
};
