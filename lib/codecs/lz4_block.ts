/**
 * The LZ4 block format (sequences of literals and matches), decoding only, into a growable
 * output buffer that a whole LZ4 frame shares, so that linked blocks can copy from earlier
 * blocks. Follows the public "LZ4 Block Format Description" (lz4 repository,
 * doc/lz4_Block_format.md): token nibbles, 255-continued lengths, 2-byte little-endian
 * offsets, a minimum match of 4, and a last sequence of literals only.
 *
 * @module
 */

/** A byte buffer that grows by doubling up to a hard limit; `len` bytes are in use. */
export class GrowBuffer {
  /** The storage; only `buf.subarray(0, len)` holds data. */
  buf: Uint8Array;
  /** Bytes in use. */
  len = 0;
  /** The most bytes this buffer will ever hold. */
  readonly limit: number;

  /** A buffer with `initial` bytes of storage that never grows past `limit`. */
  constructor(initial: number, limit: number) {
    this.limit = limit;
    this.buf = new Uint8Array(Math.min(initial, limit));
  }

  /** Makes room for `n` more bytes; false when that would pass the limit. */
  reserve(n: number): boolean {
    const need = this.len + n;
    if (need <= this.buf.length) return true;
    if (need > this.limit) return false;
    const next = new Uint8Array(Math.min(this.limit, Math.max(need, this.buf.length * 2)));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    return true;
  }
}

/**
 * Decodes the LZ4 block `src[start, end)` onto the end of `out`. Matches may reach back to
 * `lowLimit` (the frame's first byte for linked blocks, the block's own first byte for
 * independent ones); the block may add at most `maxSize` bytes. Returns an error message or
 * undefined.
 */
export const decodeLz4Block = (
  src: Uint8Array,
  start: number,
  end: number,
  out: GrowBuffer,
  lowLimit: number,
  maxSize: number,
): string | undefined => {
  // Every input byte yields at most 255 output bytes, so this bound is safe to reserve.
  const bound = Math.min(maxSize, (end - start) * 255);
  if (!out.reserve(bound)) return `block needs more than the ${out.limit}-byte output limit`;
  const dst = out.buf;
  const cap = out.len + bound;
  let s = start;
  let d = out.len;
  while (s < end) {
    const token = src[s++];
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (s >= end) return "a literal length runs past the end of its block";
        b = src[s++];
        lit += b;
      } while (b === 255);
    }
    if (lit > end - s) return "literals run past the end of their block";
    if (lit > cap - d) return `a block decodes to more than its ${maxSize}-byte maximum`;
    dst.set(src.subarray(s, s + lit), d);
    s += lit;
    d += lit;
    if (s === end) {
      out.len = d;
      return undefined;
    }
    if (end - s < 2) return "a match offset runs past the end of its block";
    const offset = src[s] | (src[s + 1] << 8);
    s += 2;
    if (offset === 0) return "a match has offset 0";
    if (offset > d - lowLimit) {
      return "a match reaches before the start of the data (a dictionary would be needed)";
    }
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (s >= end) return "a match length runs past the end of its block";
        b = src[s++];
        len += b;
      } while (b === 255);
    }
    len += 4;
    if (len > cap - d) return `a block decodes to more than its ${maxSize}-byte maximum`;
    let from = d - offset;
    if (offset >= len) {
      dst.copyWithin(d, from, from + len);
      d += len;
    } else {
      // Overlapping copy: the match repeats bytes it is itself writing.
      for (const stop = d + len; d < stop;) dst[d++] = dst[from++];
    }
  }
  return "a block ends with a match (its last sequence must be literals only)";
};
