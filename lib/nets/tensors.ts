/**
 * Weights as tensors: what the nets compute with. For detection they are constants made once
 * from a {@linkcode NetWeights} record; for training they are `tf.Variable`s.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { NET_SPECS, type NetName, type ParamOf } from "../spec.ts";
import type { NetWeights } from "../weights/record.ts";

/**
 * A tfjs tensor as this library's types name it: every `tf.Tensor` and `tf.Variable` is one.
 * (A local name keeps the published docs self-contained; cast to `tf.Tensor` for tfjs ops.)
 */
export interface TensorRef {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Element type, e.g. `float32`. */
  readonly dtype: string;
  /** Number of elements. */
  readonly size: number;
  /** True once disposed. */
  readonly isDisposed: boolean;
  /** Frees the tensor's memory. */
  dispose(): void;
}

/** The tfjs tensor behind a {@linkcode TensorRef}. */
export const asTensor = <T extends tf.Tensor = tf.Tensor>(t: TensorRef): T => t as unknown as T;

/** The parameters of network `N` as tensors (constants or variables). */
export type NetTensors<N extends NetName> = { readonly [K in ParamOf<N>]: TensorRef };

/**
 * Uploads a weight record as tensors. The caller owns them: dispose with
 * {@linkcode disposeTensors}.
 *
 * @example
 * ```ts
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * import { disposeTensors, toTensors } from "@mtcnn/mtcnn/train";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const t = toTensors(w.right.rnet);
 *   console.log(t["fc4/kernel"].shape); // [576, 128]
 *   disposeTensors(t);
 * }
 * ```
 */
export const toTensors = <N extends NetName>(w: NetWeights<N>): NetTensors<N> => {
  const params = w.params as Record<string, Float32Array>;
  const out: Record<string, tf.Tensor> = {};
  for (const p of NET_SPECS[w.net]) out[p.name] = tf.tensor(params[p.name], [...p.shape]);
  return out as unknown as NetTensors<N>;
};

/**
 * Trainable copies of a weight record (each a `tf.Variable` named `net/param`). The caller
 * owns them.
 *
 * @example
 * ```ts
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * import { disposeTensors, toVariables } from "@mtcnn/mtcnn/train";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") disposeTensors(toVariables(w.right.onet)); // trainable copies
 * ```
 */
export const toVariables = <N extends NetName>(w: NetWeights<N>): NetTensors<N> => {
  const params = w.params as Record<string, Float32Array>;
  const out: Record<string, tf.Variable> = {};
  for (const p of NET_SPECS[w.net]) {
    out[p.name] = tf.tidy(() =>
      tf.variable(tf.tensor(params[p.name], [...p.shape]), true, undefined, "float32")
    );
  }
  return out as unknown as NetTensors<N>;
};

/**
 * Reads tensors back into a weight record (one readback per parameter).
 *
 * @example
 * ```ts
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * import { fromTensors, toTensors } from "@mtcnn/mtcnn/train";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const back = await fromTensors("pnet", toTensors(w.right.pnet));
 *   console.log(back.params["conv1/bias"].length); // 10
 * }
 * ```
 */
export const fromTensors = async <N extends NetName>(
  net: N,
  t: NetTensors<N>,
): Promise<NetWeights<N>> => {
  const params: Record<string, Float32Array> = {};
  const tensors = t as unknown as Record<string, tf.Tensor>;
  for (const p of NET_SPECS[net]) {
    params[p.name] = Float32Array.from(await tensors[p.name].data() as Float32Array);
  }
  return { net, params: params as NetWeights<N>["params"] };
};

/**
 * Disposes every tensor of a {@linkcode NetTensors} record.
 *
 * @example
 * ```ts
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * import { disposeTensors, toTensors } from "@mtcnn/mtcnn/train";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") disposeTensors(toTensors(w.right.pnet));
 * ```
 */
export const disposeTensors = <N extends NetName>(t: NetTensors<N>): void => {
  for (const v of Object.values(t) as TensorRef[]) v.dispose();
};
