/**
 * Network weights as named tfjs tensors, in our naming (`pnet/conv1/kernel`, the spec's
 * shapes) or face-api.js's (`pnet/conv1/weights`, its layouts: see `faceapi_names.ts`).
 * A tfjs manifest may hold several networks (face-api.js ships all three in one).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import { NET_SPECS, type NetName } from "../spec.ts";
import { type NetWeights, type ShapedArray, weightsFromArrays } from "../weights/record.ts";
import { fromFaceApiTensors, toFaceApiNetTensors } from "./faceapi_names.ts";
import type { NamedArray } from "./tfjs_weights.ts";
import type { AnyNetWeights } from "./weights_codec.ts";

const NETS: readonly NetName[] = ["pnet", "rnet", "onet"];

/** Options of {@linkcode netWeightsToTfjs}. */
export interface TfjsNamingOptions {
  /** Use face-api.js's names and layouts instead of ours. Default false. */
  readonly faceApiNames?: boolean;
}

const hasOurs = (net: NetName, named: ReadonlyMap<string, ShapedArray>): boolean =>
  named.has(`${net}/conv1/kernel`);

const hasFaceApi = (net: NetName, named: ReadonlyMap<string, ShapedArray>): boolean =>
  named.has(`${net}/conv1/weights`);

/**
 * The networks whose tensors a set of named tensors holds, in either naming.
 */
export const tfjsNets = (named: ReadonlyMap<string, ShapedArray>): NetName[] =>
  NETS.filter((n) => hasOurs(n, named) || hasFaceApi(n, named));

/**
 * Checked weights of network `net` from named tensors in our naming or face-api.js's. A
 * missing tensor, wrong shape, NaN or Inf gives a `WeightsError` naming the layer.
 *
 * @example
 * ```ts
 * import { netWeightsFromTfjs } from "@mtcnn/mtcnn/weights";
 * const r = netWeightsFromTfjs("pnet", new Map());
 * console.log(r._tag); // "Left": no PNet tensors
 * ```
 */
export const netWeightsFromTfjs = <N extends NetName>(
  net: N,
  named: ReadonlyMap<string, ShapedArray>,
): Result<MtcnnError, NetWeights<N>> => {
  if (hasFaceApi(net, named) && !hasOurs(net, named)) return fromFaceApiTensors(net, named);
  const arrays: ShapedArray[] = [];
  for (const p of NET_SPECS[net]) {
    const a = named.get(`${net}/${p.name}`);
    if (!a) {
      const found = tfjsNets(named);
      return E.left(
        mtcnnError(
          "WeightsError",
          `${net} ${p.name}: no tensor "${net}/${p.name}" (the file holds ${
            found.length ? found.join(", ") : "no MTCNN network"
          })`,
        ),
      );
    }
    arrays.push(a);
  }
  return weightsFromArrays(net, arrays);
};

/**
 * Checked weights of network `net`, or, without `net`, of the one network the tensors hold;
 * a `WeightsError` asks for `--net` when they hold several.
 */
export const anyNetWeightsFromTfjs = (
  named: ReadonlyMap<string, ShapedArray>,
  net?: NetName,
): Result<MtcnnError, AnyNetWeights> => {
  const found = tfjsNets(named);
  if (!net && found.length !== 1) {
    return E.left(
      mtcnnError(
        "WeightsError",
        found.length === 0
          ? "no MTCNN network's tensors found (expected names like pnet/conv1/kernel)"
          : `the file holds ${found.join(", ")}; name the network (--net)`,
      ),
    );
  }
  return netWeightsFromTfjs(net ?? found[0], named) as Result<MtcnnError, AnyNetWeights>;
};

/**
 * Named tensors of one network for a tfjs manifest: ours (`onet/fc5/kernel`, spec shapes,
 * Keras order) or, with `faceApiNames`, face-api.js's names and layouts.
 *
 * @example
 * ```ts
 * import { encodeTfjsTensors, loadDefaultWeights, netWeightsToTfjs } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const files = encodeTfjsTensors(netWeightsToTfjs(w.right.pnet), "pnet");
 *   console.log(files.manifest[0].weights[0].name); // "pnet/conv1/kernel"
 * }
 * ```
 */
export const netWeightsToTfjs = (
  weights: AnyNetWeights,
  options: TfjsNamingOptions = {},
): readonly NamedArray[] => {
  if (options.faceApiNames) return toFaceApiNetTensors(weights as NetWeights<NetName>);
  const params = weights.params as Record<string, Float32Array>;
  return NET_SPECS[weights.net].map((p) => ({
    name: `${weights.net}/${p.name}`,
    shape: p.shape,
    data: params[p.name],
  }));
};
