/**
 * Seeded random initial weights for training from scratch: Glorot-uniform kernels (Keras's
 * default, which the training guide's models use), zero biases, PReLU alphas 0.25 (He et al.
 * 2015's initial slope).
 *
 * @module
 */
import { NET_SPECS, type NetName, sizeOf } from "../spec.ts";
import type { NetWeights } from "../weights/record.ts";
import { makePrng } from "./prng.ts";

/** 0.25: PReLU's initial negative slope (He et al. 2015). */
export const PRELU_INIT = 0.25;

/**
 * A fresh weight record for `net`; the same seed gives the same weights on every backend.
 *
 * @example
 * ```ts
 * import { initWeights } from "@mtcnn/mtcnn/train";
 * const w = initWeights("pnet", 7);
 * console.log(w.params["prelu1/alpha"][0]); // 0.25
 * ```
 */
export const initWeights = <N extends NetName>(net: N, seed: number): NetWeights<N> => {
  const r = makePrng(seed);
  const params: Record<string, Float32Array> = {};
  for (const p of NET_SPECS[net]) {
    const a = new Float32Array(sizeOf(p.shape));
    if (p.name.endsWith("/alpha")) a.fill(PRELU_INIT);
    else if (p.name.endsWith("/kernel")) {
      const fanIn = sizeOf(p.shape.slice(0, -1));
      const fanOut = p.shape.length === 4
        ? p.shape[0] * p.shape[1] * p.shape[3]
        : p.shape[p.shape.length - 1];
      const lim = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < a.length; i++) a[i] = r.uniform(-lim, lim);
    }
    params[p.name] = a;
  }
  return { net, params: params as NetWeights<N>["params"] };
};
