/**
 * Nets in this thread: the weights uploaded as tensors once, PNet run level after level, RNet /
 * ONet on whole crop batches with one readback each.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/Either.js";
import type { Candidates } from "../../lib/candidates.ts";
import type { MtcnnError } from "../../lib/errors.ts";
import { onet } from "../../lib/nets/onet.ts";
import { pnet } from "../../lib/nets/pnet.ts";
import { rnet } from "../../lib/nets/rnet.ts";
import { disposeTensors, type NetTensors, toTensors } from "../../lib/nets/tensors.ts";
import type { Result } from "../../lib/result.ts";
import type { NetName } from "../../lib/spec.ts";
import { checkWeights, type MtcnnWeights, type NetWeights } from "../../lib/weights/record.ts";
import type { CropBatch } from "../state.ts";
import { cropTensor } from "./crop_pixels.ts";
import { runPNetLevel } from "./pnet_levels.ts";
import type { CropHeads, CropNet, Nets, PNetRunner } from "./types.ts";

/** The runner of net `N`: {@linkcode PNetRunner} or {@linkcode CropNet}. */
export type NetOf<N extends NetName> = N extends "pnet" ? PNetRunner
  : N extends "rnet" ? CropNet<"rnet">
  : CropNet<"onet">;

/** A net in this thread with the tensors it owns: call `dispose()` when done. */
export type OwnedNet<N extends NetName> = NetOf<N> & {
  /** Frees the net's weight tensors. */
  dispose(): void;
};

/** The three nets in this thread with the tensors they own: call `dispose()` when done. */
export interface OwnedNets extends Nets {
  /** Frees every weight tensor. */
  dispose(): void;
}

/** PNet on weight tensors the caller owns. */
export const pnetRunner = (t: NetTensors<"pnet">): PNetRunner => {
  const forward = pnet(t);
  return {
    net: "pnet",
    run: async (sat, levels, threshold, nmsIou) => {
      const out: Candidates[] = [];
      for (const l of levels) out.push(await runPNetLevel(forward, sat, l, threshold, nmsIou));
      return out;
    },
  };
};

/** Runs `forward` on a crop batch (cut here when it has no pixels); reads every head once. */
const runCrops = async <K extends string>(
  forward: (x: tf.Tensor4D) => Record<K, tf.Tensor>,
  crops: CropBatch,
): Promise<Record<K, Float32Array>> => {
  const { size, count, data } = crops;
  const shape: [number, number, number, number] = [count, size, size, 3];
  // Crops without pixels are cut straight into the input tensor (on wasm: into its heap).
  const out = tf.tidy(() =>
    forward(
      data ? tf.tensor4d(data, shape) : cropTensor(crops),
    )
  );
  try {
    const keys = Object.keys(out) as K[];
    const values = await Promise.all(keys.map((k) => out[k].data() as Promise<Float32Array>));
    return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as Record<K, Float32Array>;
  } finally {
    for (const v of Object.values(out) as tf.Tensor[]) v.dispose();
  }
};

/** RNet or ONet on weight tensors the caller owns. */
export const cropNetRunner = <N extends "rnet" | "onet">(
  net: N,
  t: NetTensors<N>,
): CropNet<N> => {
  const f = net === "rnet" ? rnet(t as NetTensors<"rnet">) : onet(t as NetTensors<"onet">);
  const forward = (x: tf.Tensor4D) => ({ ...f(x) }) as unknown as Record<CropHeads<N>, tf.Tensor>;
  return {
    net,
    size: (net === "rnet" ? 24 : 48) as CropNet<N>["size"],
    run: (crops) => runCrops(forward, crops),
  };
};

/**
 * Net `net` in this thread from its weights (checked first: shapes, finite values). The
 * weights are uploaded as tensors, which the result owns.
 *
 * @example
 * ```ts
 * import { localNet } from "@mtcnn/mtcnn/stages";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const onet = localNet("onet", w.right.onet); // e.g. for a landmark stage
 *   if (onet._tag === "Right") onet.right.dispose();
 * }
 * ```
 */
export const localNet = <N extends NetName>(
  net: N,
  weights: NetWeights<N>,
): Result<MtcnnError, OwnedNet<N>> => {
  const c = checkWeights(net, weights);
  if (c._tag === "Left") return c;
  const t = toTensors(c.right);
  const runner = net === "pnet"
    ? pnetRunner(t as NetTensors<"pnet">)
    : cropNetRunner(net as "rnet" | "onet", t as NetTensors<"rnet" | "onet">);
  return E.right({ ...runner, dispose: () => disposeTensors(t) } as unknown as OwnedNet<N>);
};

/**
 * The three nets in this thread from a cascade's weights (each checked first).
 *
 * @example
 * ```ts
 * import { localNets } from "@mtcnn/mtcnn/stages";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const nets = localNets(w.right);
 *   if (nets._tag === "Right") {
 *     console.log(nets.right.pnet.net, nets.right.rnet.size, nets.right.onet.size); // pnet 24 48
 *     nets.right.dispose();
 *   }
 * }
 * ```
 */
export const localNets = (weights: MtcnnWeights): Result<MtcnnError, OwnedNets> => {
  const p = localNet("pnet", weights?.pnet);
  if (p._tag === "Left") return p;
  const r = localNet("rnet", weights?.rnet);
  if (r._tag === "Left") {
    p.right.dispose();
    return r;
  }
  const o = localNet("onet", weights?.onet);
  if (o._tag === "Left") {
    p.right.dispose();
    r.right.dispose();
    return o;
  }
  const owned = [p.right, r.right, o.right];
  return E.right({
    pnet: p.right,
    rnet: r.right,
    onet: o.right,
    dispose: () => owned.forEach((n) => n.dispose()),
  });
};
