/**
 * Typed weight records: one per network, host arrays in the layouts of `spec.ts`.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import { NET_SPECS, type NetName, type ParamOf, sizeOf } from "../spec.ts";

/** The weights of network `N`: one float32 array per parameter, in the spec's layout. */
export interface NetWeights<N extends NetName> {
  /** Which network these weights are for. */
  readonly net: N;
  /** Each parameter's values, row-major in the spec's shape. */
  readonly params: { readonly [K in ParamOf<N>]: Float32Array };
}

/** PNet's weights. */
export type PNetWeights = NetWeights<"pnet">;
/** RNet's weights. */
export type RNetWeights = NetWeights<"rnet">;
/** ONet's weights. */
export type ONetWeights = NetWeights<"onet">;

/** The weights of the whole cascade. */
export interface MtcnnWeights {
  /** Proposal network. */
  readonly pnet: PNetWeights;
  /** Refinement network. */
  readonly rnet: RNetWeights;
  /** Output network. */
  readonly onet: ONetWeights;
}

/** An array with its shape, as weight files hold them. */
export interface ShapedArray {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Row-major values. */
  readonly data: Float32Array | Float64Array;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

const fmt = (s: readonly number[]): string => `(${s.join(", ")})`;

/**
 * Builds a checked weight record from arrays in Keras `get_weights()` order. Every array must
 * have its parameter's exact shape and only finite values; the error names the layer and the
 * expected shape. Arrays whose shape is `(C)` where `(1, 1, C)` is expected (conv PReLU alphas,
 * as in tfjs files) are accepted. Float64 values are converted to float32.
 *
 * @example
 * ```ts
 * import { paramCount, weightsFromArrays, NET_SPECS } from "@mtcnn/mtcnn/weights";
 * const arrays = NET_SPECS.pnet.map((p) => ({
 *   shape: p.shape,
 *   data: new Float32Array(p.shape.reduce((a, b) => a * b, 1)),
 * }));
 * const w = weightsFromArrays("pnet", arrays);
 * console.log(w._tag, paramCount("pnet"));
 * ```
 */
export const weightsFromArrays = <N extends NetName>(
  net: N,
  arrays: readonly ShapedArray[],
): Result<MtcnnError, NetWeights<N>> => {
  const spec = NET_SPECS[net];
  if (arrays.length !== spec.length) {
    return E.left(
      mtcnnError(
        "WeightsError",
        `${net} needs ${spec.length} arrays (${
          spec.map((p) => p.name).join(", ")
        }), got ${arrays.length}`,
      ),
    );
  }
  const params: Record<string, Float32Array> = {};
  for (let i = 0; i < spec.length; i++) {
    const { name, shape } = spec[i];
    const a = arrays[i];
    const alphaAlt = name.endsWith("/alpha") && shape.length === 3 &&
      sameShape(a.shape, [shape[2]]);
    if (!sameShape(a.shape, shape) && !alphaAlt) {
      return E.left(
        mtcnnError(
          "WeightsError",
          `${net} ${name}: expected shape ${fmt(shape)}, got ${fmt(a.shape)}`,
        ),
      );
    }
    if (a.data.length !== sizeOf(shape)) {
      return E.left(
        mtcnnError(
          "WeightsError",
          `${net} ${name}: expected ${sizeOf(shape)} values, got ${a.data.length}`,
        ),
      );
    }
    const data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
    for (let j = 0; j < data.length; j++) {
      if (!Number.isFinite(data[j])) {
        return E.left(
          mtcnnError(
            "WeightsError",
            `${net} ${name}: value ${j} is ${data[j]}; weights must be finite numbers`,
          ),
        );
      }
    }
    params[name] = data;
  }
  return E.right({ net, params: params as NetWeights<N>["params"] });
};

/**
 * The arrays of a weight record in Keras `get_weights()` order, with their spec shapes.
 *
 * @example
 * ```ts
 * import { loadDefaultWeights, weightsToArrays } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") console.log(weightsToArrays(w.right.pnet).length); // 13
 * ```
 */
export const weightsToArrays = <N extends NetName>(w: NetWeights<N>): readonly ShapedArray[] =>
  NET_SPECS[w.net].map((p) => ({
    shape: p.shape,
    data: (w.params as Record<string, Float32Array>)[p.name],
  }));

/**
 * Checks a record someone built by hand: right network, shapes and finite values.
 *
 * @example
 * ```ts
 * import { checkWeights, loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") console.log(checkWeights("rnet", w.right.rnet)._tag); // "Right"
 * ```
 */
export const checkWeights = <N extends NetName>(
  net: N,
  w: NetWeights<N>,
): Result<MtcnnError, NetWeights<N>> => {
  if (w?.net !== net) {
    return E.left(
      mtcnnError("WeightsError", `expected ${net} weights, got ${String(w?.net)} weights`),
    );
  }
  const params = w.params as Record<string, Float32Array | undefined>;
  const missing = NET_SPECS[net].find((p) => !(params[p.name] instanceof Float32Array));
  if (missing) {
    return E.left(
      mtcnnError("WeightsError", `${net} ${missing.name}: missing (a Float32Array is needed)`),
    );
  }
  return weightsFromArrays(
    net,
    NET_SPECS[net].map((p) => ({
      shape: params[p.name]!.length === sizeOf(p.shape) ? p.shape : [params[p.name]!.length],
      data: params[p.name]!,
    })),
  );
};
