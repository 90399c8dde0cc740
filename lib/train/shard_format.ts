/**
 * The training-set file format: fixed-size binary records in shards, and a JSON index.
 *
 * A shard is a 32-byte header followed by `count` records, little-endian:
 * - header: magic `MTCNNSH1` (8 bytes), u32 version (1), u32 side (12, 24 or 48), u32 count,
 *   u32 record bytes, u32 FNV-1a checksum of the records, u32 reserved (0);
 * - record: side*side*3 RGB bytes, i8 label (1, 0, -1, -2), 3 zero bytes, f32 x 4 box
 *   offsets, f32 x 10 landmarks (x1..x5, y1..y5).
 *
 * The index (`index.json`) lists the shards in order with their counts; readers stream one
 * shard at a time, so memory is bounded by the shard size whatever the set's size.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";

/** One training sample as stored. */
export interface Sample {
  /** side*side*3 RGB bytes. */
  readonly image: Uint8Array;
  /** 1 face, 0 non-face, -1 part, -2 landmark. */
  readonly label: number;
  /** 4 box offsets. */
  readonly box: ArrayLike<number>;
  /** 10 landmark values. */
  readonly landmarks: ArrayLike<number>;
}

/** A decoded shard: records packed as stored, with views to read them. */
export interface Shard {
  /** Input side of the samples. */
  readonly side: number;
  /** Number of records. */
  readonly count: number;
  /** Bytes per record. */
  readonly recordBytes: number;
  /** The records. */
  readonly bytes: Uint8Array;
}

/** An entry of the index. */
export interface ShardEntry {
  /** File name, relative to the index. */
  readonly file: string;
  /** Records in the shard. */
  readonly count: number;
}

/** `index.json`: what a dataset holds. */
export interface ShardIndex {
  /** Always `mtcnn-shards`. */
  readonly format: "mtcnn-shards";
  /** Format version, 1. */
  readonly version: 1;
  /** Network the set is for. */
  readonly net: string;
  /** Sample side. */
  readonly side: number;
  /** Total records. */
  readonly total: number;
  /** Records per label: neg, pos, part, landmark. */
  readonly counts: Readonly<Record<"neg" | "pos" | "part" | "landmark", number>>;
  /** The shards, in order. */
  readonly shards: readonly ShardEntry[];
  /** How the set was made (command, seed, sources): free-form. */
  readonly provenance?: unknown;
}

const MAGIC = "MTCNNSH1";
/** Bytes of a shard header. */
export const SHARD_HEADER_BYTES = 32;

/** Bytes per record for a sample side. */
export const recordBytes = (side: number): number => side * side * 3 + 4 + 14 * 4;

/** FNV-1a 32-bit hash of bytes. */
export const fnv1a = (b: Uint8Array): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
};

/**
 * Encodes samples as one shard file.
 */
export const encodeShard = (side: number, samples: readonly Sample[]): Uint8Array => {
  const rb = recordBytes(side);
  const out = new Uint8Array(SHARD_HEADER_BYTES + rb * samples.length);
  const dv = new DataView(out.buffer);
  const px = side * side * 3;
  samples.forEach((s, i) => {
    const o = SHARD_HEADER_BYTES + i * rb;
    out.set(s.image.subarray(0, px), o);
    dv.setInt8(o + px, s.label);
    for (let k = 0; k < 4; k++) dv.setFloat32(o + px + 4 + k * 4, s.box[k], true);
    for (let k = 0; k < 10; k++) dv.setFloat32(o + px + 20 + k * 4, s.landmarks[k], true);
  });
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  dv.setUint32(8, 1, true);
  dv.setUint32(12, side, true);
  dv.setUint32(16, samples.length, true);
  dv.setUint32(20, rb, true);
  dv.setUint32(24, fnv1a(out.subarray(SHARD_HEADER_BYTES)), true);
  return out;
};

/**
 * Decodes and checks a shard file (magic, version, sizes, checksum).
 */
export const decodeShard = (bytes: Uint8Array, what = "shard"): Result<MtcnnError, Shard> => {
  const bad = (m: string) => E.left(mtcnnError("FormatError", `${what}: ${m}`));
  if (bytes.length < SHARD_HEADER_BYTES) return bad("shorter than the 32-byte header");
  if (String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC) return bad("not an MTCNN shard");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== 1) return bad(`unsupported version ${version}`);
  const side = dv.getUint32(12, true);
  const count = dv.getUint32(16, true);
  const rb = dv.getUint32(20, true);
  if (rb !== recordBytes(side)) return bad(`record size ${rb} does not match side ${side}`);
  if (bytes.length !== SHARD_HEADER_BYTES + rb * count) {
    return bad(`${bytes.length} bytes, expected ${SHARD_HEADER_BYTES + rb * count} (truncated?)`);
  }
  const body = bytes.subarray(SHARD_HEADER_BYTES);
  if (fnv1a(body) !== dv.getUint32(24, true)) return bad("checksum mismatch (corrupted)");
  return E.right({ side, count, recordBytes: rb, bytes: body });
};

/** Reads record `i` of a shard. */
export const shardSample = (s: Shard, i: number): Sample => {
  const o = i * s.recordBytes;
  const px = s.side * s.side * 3;
  const dv = new DataView(s.bytes.buffer, s.bytes.byteOffset + o, s.recordBytes);
  const box = new Float32Array(4);
  const landmarks = new Float32Array(10);
  for (let k = 0; k < 4; k++) box[k] = dv.getFloat32(px + 4 + k * 4, true);
  for (let k = 0; k < 10; k++) landmarks[k] = dv.getFloat32(px + 20 + k * 4, true);
  return { image: s.bytes.subarray(o, o + px), label: dv.getInt8(px), box, landmarks };
};

/** Parses and checks an index (format, version, counts adding up). */
export const parseShardIndex = (
  text: string,
  what = "index.json",
): Result<MtcnnError, ShardIndex> => {
  const bad = (m: string) => E.left(mtcnnError("FormatError", `${what}: ${m}`));
  let j: ShardIndex;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return E.left(mtcnnError("FormatError", `${what}: not JSON`, e));
  }
  if (j?.format !== "mtcnn-shards" || j.version !== 1) return bad("not an mtcnn-shards v1 index");
  if (!Array.isArray(j.shards) || ![12, 24, 48].includes(j.side)) return bad("bad shards or side");
  const sum = j.shards.reduce((a, s) => a + (s?.count ?? NaN), 0);
  if (sum !== j.total) return bad(`shard counts add up to ${sum}, total says ${j.total}`);
  return E.right(j);
};
