/**
 * The LZ4 frame format, as python-lz4 (and so joblib's `compress=("lz4", level)`) writes it.
 * Follows the public "LZ4 Frame Format Description" v1.6.x (lz4 repository,
 * doc/lz4_Frame_format.md). The reader takes every frame option: linked and independent
 * blocks, stored and compressed blocks, content size, dictionary id, block and content
 * checksums, block size ids 4 to 7, concatenated and skippable frames; the header checksum and
 * every checksum present are verified. Sizes are checked against the input before anything is
 * allocated, and the output never passes `maxOutputBytes`. The writer stores blocks as they are
 * (weights barely compress), which every LZ4 reader accepts.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import { decodeLz4Block, GrowBuffer } from "./lz4_block.ts";
import { xxhash32 } from "./xxhash32.ts";

/**
 * The first four bytes of every LZ4 frame (0x184D2204, little-endian).
 */
export const LZ4_MAGIC: readonly number[] = [0x04, 0x22, 0x4d, 0x18];

/**
 * 256 MiB: the default ceiling on decompressed bytes (ONet's weights are 1.6 MB).
 */
export const LZ4_DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;

/** Options of {@linkcode decodeLz4Frame}. */
export interface Lz4DecodeOptions {
  /** Refuse to produce more than this many bytes. Default {@linkcode LZ4_DEFAULT_MAX_OUTPUT}. */
  readonly maxOutputBytes?: number;
}

const BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];
const STORED_BLOCK = 64 * 1024;

const u32 = (b: Uint8Array, i: number): number =>
  (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

/**
 * True when `bytes` starts with the LZ4 frame magic number.
 *
 * @example
 * ```ts
 * import { encodeLz4Frame, isLz4Frame } from "@mtcnn/mtcnn/weights";
 * console.log(isLz4Frame(encodeLz4Frame(new Uint8Array([1, 2, 3])))); // true
 * ```
 */
export const isLz4Frame = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && LZ4_MAGIC.every((m, i) => bytes[i] === m);

const fail = (msg: string): Result<MtcnnError, never> =>
  E.left(mtcnnError("FormatError", `LZ4 frame: ${msg}`));

/** Decodes one frame starting at `p` (after its magic); returns the position after it. */
const decodeFrame = (src: Uint8Array, p: number, out: GrowBuffer): number | string => {
  const descStart = p;
  if (src.length - p < 3) return "the frame header is cut short";
  const flg = src[p];
  const bd = src[p + 1];
  if (flg >> 6 !== 1) return `unsupported frame version ${flg >> 6} (1 is the only one)`;
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) return "reserved header bits are set";
  const independent = (flg & 0x20) !== 0;
  const blockSums = (flg & 0x10) !== 0;
  const hasSize = (flg & 0x08) !== 0;
  const contentSum = (flg & 0x04) !== 0;
  const hasDict = (flg & 0x01) !== 0;
  const blockMax = BLOCK_MAX[(bd >> 4) & 7];
  if (!blockMax) return `block size id ${(bd >> 4) & 7} is not one of 4 to 7`;
  p += 2;
  let contentSize = -1;
  if (hasSize) {
    if (src.length - p < 8) return "the frame header is cut short";
    contentSize = u32(src, p) + u32(src, p + 4) * 2 ** 32;
    p += 8;
  }
  if (hasDict) p += 4;
  if (src.length - p < 1) return "the frame header is cut short";
  const hc = (xxhash32(src.subarray(descStart, p)) >>> 8) & 0xff;
  if (hc !== src[p]) return `header checksum ${src[p]} does not match ${hc}`;
  p += 1;
  // LZ4 expands at most 255 times: refuse impossible sizes before allocating for them.
  if (contentSize > (src.length - p) * 255) {
    return `declares ${contentSize} bytes of content, more than ${src.length - p} bytes can hold`;
  }
  if (contentSize > out.limit - out.len) {
    return `declares ${contentSize} bytes of content, over the ${out.limit}-byte limit`;
  }
  if (contentSize > 0 && !out.reserve(contentSize)) return "cannot reserve the content size";
  const frameStart = out.len;
  for (;;) {
    if (src.length - p < 4) return "a block size is cut short (no end mark)";
    const word = u32(src, p);
    p += 4;
    if (word === 0) break;
    const stored = word >= 0x80000000;
    const size = word & 0x7fffffff;
    if (size > blockMax) return `a block of ${size} bytes exceeds the ${blockMax}-byte maximum`;
    if (size > src.length - p) return `a block of ${size} bytes runs past the end of the input`;
    if (blockSums) {
      if (src.length - p - size < 4) return "a block checksum is cut short";
      if (xxhash32(src.subarray(p, p + size)) !== u32(src, p + size)) {
        return "a block checksum does not match (the data is damaged)";
      }
    }
    if (stored) {
      if (!out.reserve(size)) return `the data exceeds the ${out.limit}-byte output limit`;
      out.buf.set(src.subarray(p, p + size), out.len);
      out.len += size;
    } else {
      const low = independent ? out.len : frameStart;
      const err = decodeLz4Block(src, p, p + size, out, low, blockMax);
      if (err) return err;
    }
    p += size + (blockSums ? 4 : 0);
  }
  if (hasSize && out.len - frameStart !== contentSize) {
    return `declares ${contentSize} bytes of content but holds ${out.len - frameStart}`;
  }
  if (contentSum) {
    if (src.length - p < 4) return "the content checksum is cut short";
    if (xxhash32(out.buf.subarray(frameStart, out.len)) !== u32(src, p)) {
      return "the content checksum does not match (the data is damaged)";
    }
    p += 4;
  }
  return p;
};

/**
 * Decompresses LZ4 frame data (one frame, or several concatenated, skippable frames skipped).
 * Malformed, damaged or oversized input gives a `FormatError`; this never throws.
 *
 * @example
 * ```ts
 * import { decodeLz4Frame, encodeLz4Frame } from "@mtcnn/mtcnn/weights";
 * const packed = encodeLz4Frame(new TextEncoder().encode("hello"));
 * const r = decodeLz4Frame(packed);
 * if (r._tag === "Right") console.log(new TextDecoder().decode(r.right)); // "hello"
 * ```
 */
export const decodeLz4Frame = (
  bytes: Uint8Array,
  options: Lz4DecodeOptions = {},
): Result<MtcnnError, Uint8Array> => {
  if (!isLz4Frame(bytes)) return fail("no LZ4 magic number (04 22 4D 18) at the start");
  const limit = options.maxOutputBytes ?? LZ4_DEFAULT_MAX_OUTPUT;
  const out = new GrowBuffer(Math.min(bytes.length * 2, 1 << 20), limit);
  let p = 0;
  while (p < bytes.length) {
    if (bytes.length - p < 4) return fail(`${bytes.length - p} stray bytes after the last frame`);
    const magic = u32(bytes, p);
    if (magic >= 0x184d2a50 && magic <= 0x184d2a5f) {
      // A skippable frame: a 4-byte size and that many bytes of user data.
      if (bytes.length - p < 8) return fail("a skippable frame's size is cut short");
      const size = u32(bytes, p + 4);
      if (size > bytes.length - p - 8) return fail("a skippable frame runs past the end");
      p += 8 + size;
      continue;
    }
    if (magic !== 0x184d2204) {
      return fail(
        p === 0 ? "bad magic number" : `unexpected bytes after a frame (at offset ${p})`,
      );
    }
    const next = decodeFrame(bytes, p + 4, out);
    if (typeof next === "string") return fail(next);
    p = next;
  }
  return E.right(out.buf.subarray(0, out.len));
};

/**
 * Wraps `bytes` in one LZ4 frame of stored (uncompressed) blocks of at most 64 KiB:
 * header `04 22 4D 18 60 40 82` (independent blocks, no checksums, 64 KiB blocks), as
 * python-lz4 and joblib read it.
 *
 * @example
 * ```ts
 * import { encodeLz4Frame } from "@mtcnn/mtcnn/weights";
 * const framed = encodeLz4Frame(new Uint8Array([1, 2, 3]));
 * console.log(framed.length); // 7 header + 4 size + 3 data + 4 end mark = 18
 * ```
 */
export const encodeLz4Frame = (bytes: Uint8Array): Uint8Array => {
  const blocks = Math.ceil(bytes.length / STORED_BLOCK);
  const out = new Uint8Array(7 + blocks * 4 + bytes.length + 4);
  out.set([...LZ4_MAGIC, 0x60, 0x40, 0x82]);
  const view = new DataView(out.buffer);
  let o = 7;
  for (let i = 0; i < bytes.length; i += STORED_BLOCK) {
    const chunk = bytes.subarray(i, i + STORED_BLOCK);
    view.setUint32(o, (chunk.length | 0x80000000) >>> 0, true);
    out.set(chunk, o + 4);
    o += 4 + chunk.length;
  }
  view.setUint32(o, 0, true);
  return out;
};
