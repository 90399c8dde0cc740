/**
 * The checkpoint file format: everything a training run needs to continue exactly where it
 * stopped (weights, optimizer moments, step counters, PRNG state, data position).
 *
 * Layout, little-endian: magic `MTCNNCK1` (8 bytes), u32 JSON length L, L bytes of UTF-8 JSON
 * metadata (`meta`, plus `arrays`: the names and lengths of the arrays in order), zero padding
 * to a multiple of 4, the float32 arrays one after another, and a u32 FNV-1a checksum of
 * everything before it.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import { fnv1a } from "./shard_format.ts";

/** A decoded checkpoint: free-form metadata and named float32 arrays. */
export interface CheckpointData<M> {
  /** Metadata (JSON-serialisable). */
  readonly meta: M;
  /** Named arrays (weights `w/...`, Adam moments `m/...`, `v/...`). */
  readonly arrays: Readonly<Record<string, Float32Array>>;
}

const MAGIC = "MTCNNCK1";

/**
 * Encodes a checkpoint.
 */
export const encodeCheckpoint = <M>(c: CheckpointData<M>): Uint8Array => {
  const names = Object.keys(c.arrays);
  const json = new TextEncoder().encode(
    JSON.stringify({ meta: c.meta, arrays: names.map((n) => [n, c.arrays[n].length]) }),
  );
  const head = 12 + json.length;
  const start = Math.ceil(head / 4) * 4;
  const floats = names.reduce((a, n) => a + c.arrays[n].length, 0);
  const out = new Uint8Array(start + floats * 4 + 4);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  let o = start;
  for (const n of names) {
    for (const v of c.arrays[n]) {
      dv.setFloat32(o, v, true);
      o += 4;
    }
  }
  dv.setUint32(o, fnv1a(out.subarray(0, o)), true);
  return out;
};

/**
 * Decodes and checks a checkpoint; a truncated or damaged file is a FormatError.
 */
export const decodeCheckpoint = <M>(
  bytes: Uint8Array,
  what = "checkpoint",
): Result<MtcnnError, CheckpointData<M>> => {
  const bad = (m: string) => E.left(mtcnnError("FormatError", `${what}: ${m}`));
  if (bytes.length < 16 || String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC) {
    return bad("not an MTCNN checkpoint");
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (fnv1a(bytes.subarray(0, end)) !== dv.getUint32(end, true)) {
    return bad("checksum mismatch (truncated or corrupted)");
  }
  const len = dv.getUint32(8, true);
  let head: { meta: M; arrays: [string, number][] };
  try {
    head = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len)));
  } catch (e) {
    return E.left(mtcnnError("FormatError", `${what}: bad metadata`, e));
  }
  let o = Math.ceil((12 + len) / 4) * 4;
  const arrays: Record<string, Float32Array> = {};
  for (const [name, n] of head.arrays) {
    if (o + n * 4 > end) return bad(`array ${name} runs past the end`);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = dv.getFloat32(o + i * 4, true);
    arrays[name] = a;
    o += n * 4;
  }
  return E.right({ meta: head.meta, arrays });
};
