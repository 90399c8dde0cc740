/**
 * tfjs's weight format, both ways: a manifest (JSON: groups of shard paths and weight specs
 * `{ name, shape, dtype }`) and binary shards holding each group's weights one after another,
 * little-endian, as `tf.io` writes and `tf.io.loadWeights` reads. Reading takes float32 and
 * tfjs's quantized weights (uint8 / uint16 affine, float16); writing makes float32 in one group.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import { sizeOf } from "../spec.ts";
import type { ShapedArray } from "../weights/record.ts";

/** One weight of a tfjs manifest. */
export interface TfjsWeightSpec {
  /** Tensor name, e.g. `pnet/conv1/kernel`. */
  readonly name: string;
  /** Tensor shape. */
  readonly shape: readonly number[];
  /** Tensor dtype; only `float32` is read. */
  readonly dtype: string;
  /** How the stored values map to floats, when quantized. */
  readonly quantization?: {
    readonly dtype: string;
    readonly scale?: number;
    readonly min?: number;
  };
}

/** One group of a tfjs manifest: its shard files (in order) and the weights they hold. */
export interface TfjsWeightGroup {
  /** Shard file names, relative to the manifest's folder. */
  readonly paths: readonly string[];
  /** The weights, in the order their bytes follow one another. */
  readonly weights: readonly TfjsWeightSpec[];
}

/** A tfjs weights manifest (`weights_manifest.json`, or `weightsManifest` of a model.json). */
export type TfjsManifest = readonly TfjsWeightGroup[];

/** A named array, as tfjs manifests name their tensors. */
export interface NamedArray extends ShapedArray {
  /** Tensor name. */
  readonly name: string;
}

/** A manifest and the shard files it names, ready to be written beside each other. */
export interface TfjsFiles {
  /** The manifest (write it as JSON). */
  readonly manifest: TfjsManifest;
  /** Each shard's file name (relative to the manifest) and bytes. */
  readonly shards: readonly { readonly path: string; readonly bytes: Uint8Array }[];
}

/**
 * 4 MiB: tfjs's default shard size.
 */
export const TFJS_SHARD_BYTES = 4 * 1024 * 1024;

const fail = (msg: string): Result<MtcnnError, never> =>
  E.left(mtcnnError("FormatError", `tfjs manifest: ${msg}`));

const isSpec = (w: unknown): w is TfjsWeightSpec => {
  const s = w as TfjsWeightSpec;
  return typeof s?.name === "string" && typeof s.dtype === "string" && Array.isArray(s.shape) &&
    s.shape.every((d) => Number.isSafeInteger(d) && d >= 0);
};

/**
 * Parses manifest JSON: a bare manifest (an array of groups, as face-api.js ships) or a tfjs
 * `model.json` with a `weightsManifest`.
 *
 * @example
 * ```ts
 * import { parseTfjsManifest } from "@mtcnn/mtcnn/weights";
 * const m = parseTfjsManifest('[{"paths": ["a.bin"], "weights": [{"name": "x", "shape": [2], "dtype": "float32"}]}]');
 * console.log(m._tag); // "Right"
 * ```
 */
export const parseTfjsManifest = (text: string): Result<MtcnnError, TfjsManifest> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const groups = Array.isArray(json) ? json : (json as { weightsManifest?: unknown })
    ?.weightsManifest;
  if (!Array.isArray(groups)) return fail("neither a list of groups nor a weightsManifest");
  for (const g of groups as TfjsWeightGroup[]) {
    const ok = Array.isArray(g?.paths) && g.paths.every((p) => typeof p === "string") &&
      Array.isArray(g.weights) && g.weights.every(isSpec);
    if (!ok) return fail("a group lacks its paths or well-formed weights");
  }
  return E.right(groups as TfjsManifest);
};

const BYTES: Readonly<Record<string, number>> = { float32: 4, uint8: 1, uint16: 2, float16: 2 };

const half = (h: number): number => {
  const e = (h >> 10) & 31;
  const m = h & 1023;
  const v = e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1024 + m) * 2 ** (e - 25);
  return h & 0x8000 ? -v : v;
};

const decodeOne = (w: TfjsWeightSpec, view: DataView, at: number, n: number): Float32Array => {
  const q = w.quantization;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (!q) out[i] = view.getFloat32(at + 4 * i, true);
    else if (q.dtype === "float16") out[i] = half(view.getUint16(at + 2 * i, true));
    else {
      const v = q.dtype === "uint8" ? view.getUint8(at + i) : view.getUint16(at + 2 * i, true);
      out[i] = v * (q.scale ?? 1) + (q.min ?? 0);
    }
  }
  return out;
};

/**
 * The named float32 arrays of a manifest, given the bytes of each shard by its path. Missing
 * shards, sizes that do not add up and unsupported dtypes give a `FormatError`.
 *
 * @example
 * ```ts
 * import { decodeTfjsTensors, encodeTfjsTensors } from "@mtcnn/mtcnn/weights";
 * const files = encodeTfjsTensors([{ name: "a", shape: [2], data: new Float32Array([1, 2]) }], "w");
 * const shards = new Map(files.shards.map((s) => [s.path, s.bytes]));
 * const r = decodeTfjsTensors(files.manifest, shards);
 * if (r._tag === "Right") console.log(r.right.get("a")?.data); // Float32Array [1, 2]
 * ```
 */
export const decodeTfjsTensors = (
  manifest: TfjsManifest,
  shards: ReadonlyMap<string, Uint8Array>,
): Result<MtcnnError, Map<string, ShapedArray>> => {
  const out = new Map<string, ShapedArray>();
  for (const g of manifest) {
    const parts = g.paths.map((p) => shards.get(p));
    const missing = g.paths.find((_, i) => !parts[i]);
    if (missing !== undefined) return fail(`shard "${missing}" is missing`);
    const total = parts.reduce((n, p) => n + p!.length, 0);
    let need = 0;
    for (const w of g.weights) {
      const per = BYTES[w.quantization?.dtype ?? w.dtype];
      if (w.dtype !== "float32" || !per || (w.quantization && per === 4)) {
        return fail(`"${w.name}" has dtype ${w.quantization?.dtype ?? w.dtype} (float32 only)`);
      }
      need += sizeOf(w.shape) * per;
      if (need > total) return fail(`the shards hold ${total} bytes, fewer than the weights need`);
    }
    if (need !== total) return fail(`the shards hold ${total} bytes, the weights need ${need}`);
    const bytes = parts.length === 1 ? parts[0]! : new Uint8Array(total);
    if (parts.length > 1) parts.reduce((o, p) => (bytes.set(p!, o), o + p!.length), 0);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    for (const w of g.weights) {
      if (out.has(w.name)) return fail(`"${w.name}" appears twice`);
      const n = sizeOf(w.shape);
      out.set(w.name, { shape: [...w.shape], data: decodeOne(w, view, at, n) });
      at += n * BYTES[w.quantization?.dtype ?? w.dtype];
    }
  }
  return E.right(out);
};

/**
 * A tfjs manifest of one group and its float32 shards (`<stem>-shard1of2.bin`, ...), each at
 * most `maxShardBytes` (default {@linkcode TFJS_SHARD_BYTES}). The arrays must have data of
 * their shape's size.
 *
 * @example
 * ```ts
 * import { encodeTfjsTensors } from "@mtcnn/mtcnn/weights";
 * const f = encodeTfjsTensors([{ name: "x", shape: [1], data: new Float32Array([3]) }], "x");
 * console.log(f.shards[0].path, f.manifest[0].weights[0]); // x-shard1of1.bin {name: "x", ...}
 * ```
 */
export const encodeTfjsTensors = (
  arrays: readonly NamedArray[],
  stem: string,
  maxShardBytes: number = TFJS_SHARD_BYTES,
): TfjsFiles => {
  const total = arrays.reduce((n, a) => n + 4 * a.data.length, 0);
  const all = new Uint8Array(total);
  const view = new DataView(all.buffer);
  let at = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.data.length; i++, at += 4) view.setFloat32(at, a.data[i], true);
  }
  const size = Math.max(4, Math.floor(maxShardBytes / 4) * 4);
  const n = Math.max(1, Math.ceil(total / size));
  const shards = Array.from({ length: n }, (_, i) => ({
    path: `${stem}-shard${i + 1}of${n}.bin`,
    bytes: all.slice(i * size, (i + 1) * size),
  }));
  const weights = arrays.map((a) => ({ name: a.name, shape: [...a.shape], dtype: "float32" }));
  return { manifest: [{ paths: shards.map((s) => s.path), weights }], shards };
};
