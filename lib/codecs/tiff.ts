/**
 * A TIFF decoder for the images people have (TIFF 6.0, Adobe 1992): the first image of a file,
 * in strips, uncompressed, LZW, Deflate or PackBits, with or without the horizontal predictor;
 * bilevel, grayscale, RGB (alpha and other extra samples dropped) and palette colour; 1, 8 or
 * 16 bits per sample (16-bit samples keep their high byte, as for PNG). Everything else is
 * refused by name: tiles, JPEG / CCITT compression, planar storage, CMYK, YCbCr, float samples,
 * BigTIFF. (imagescript's own TIFF decoder traps on common files.)
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import type { Either } from "fp-ts/Either.js";

/** Decoded TIFF pixels: RGBA, 4 bytes a pixel, rows top to bottom. */
export interface TiffPixels {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** width * height * 4 bytes. */
  readonly data: Uint8Array;
}

/** Inflates zlib-wrapped Deflate data (TIFF compression 8 and 32946). */
export type Inflate = (data: Uint8Array) => Promise<Uint8Array>;

/** Deflate with the web-standard `DecompressionStream` (Deno, browsers, Node 18+). */
export const inflateWithStreams: Inflate = async (data) =>
  new Uint8Array(
    await new Response(
      new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new DecompressionStream("deflate"),
      ),
    ).arrayBuffer(),
  );

const COMPRESSION_NAMES: Readonly<Record<number, string>> = {
  2: "CCITT Group 3 (modified Huffman)",
  3: "CCITT Group 3 fax",
  4: "CCITT Group 4 fax",
  6: "old-style JPEG",
  7: "JPEG",
  34712: "JPEG 2000",
  34887: "LERC",
  34925: "LZMA",
  50000: "Zstandard",
  50001: "WebP",
};

const PHOTOMETRIC_NAMES: Readonly<Record<number, string>> = {
  4: "transparency mask",
  5: "separated (CMYK)",
  6: "YCbCr",
  8: "CIE L*a*b*",
  9: "ICC L*a*b*",
  10: "ITU L*a*b*",
};

/** Bytes per value of the TIFF field types we read (BYTE, SHORT, LONG) and the others. */
const TYPE_SIZE: Readonly<Record<number, number>> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
};

/**
 * Decodes the first image of a TIFF file to RGBA; a Left says, in words, what is wrong or
 * which feature is not supported.
 *
 * @example
 * ```ts
 * import { decodeTiff } from "./tiff.ts";
 * // 1x1 8-bit gray, uncompressed: header, one IFD of 8 entries, one pixel (value 200).
 * const b = new Uint8Array(8 + 2 + 8 * 12 + 4 + 1);
 * const v = new DataView(b.buffer);
 * b.set([0x49, 0x49, 42, 0]);
 * v.setUint32(4, 8, true);
 * v.setUint16(8, 8, true);
 * const px = b.length - 1;
 * [[256, 3, 1], [257, 3, 1], [258, 3, 8], [259, 3, 1], [262, 3, 1], [273, 4, px], [278, 3, 1],
 *   [279, 4, 1]].forEach(([tag, type, value], k) => {
 *   const e = 10 + 12 * k;
 *   v.setUint16(e, tag, true), v.setUint16(e + 2, type, true), v.setUint32(e + 4, 1, true);
 *   type === 3 ? v.setUint16(e + 8, value, true) : v.setUint32(e + 8, value, true);
 * });
 * b[px] = 200;
 * const r = await decodeTiff(b);
 * console.log(r._tag === "Right" && Array.from(r.right.data)); // [200, 200, 200, 255]
 * ```
 */
export const decodeTiff = async (
  bytes: Uint8Array,
  inflate: Inflate = inflateWithStreams,
): Promise<Either<string, TiffPixels>> => {
  const fail = (m: string) => E.left(m);
  if (bytes.length < 8) return fail(`the file is cut off in its header (${bytes.length} bytes)`);
  const order = String.fromCharCode(bytes[0], bytes[1]);
  if (order !== "II" && order !== "MM") return fail("not a TIFF (no II or MM byte order mark)");
  const le = order === "II";
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = v.getUint16(2, le);
  if (magic === 43) return fail("BigTIFF is not supported");
  if (magic !== 42) return fail(`not a TIFF (version ${magic}, expected 42)`);
  const ifd = v.getUint32(4, le);
  if (ifd < 8 || ifd + 2 > bytes.length) {
    return fail(`the first IFD at byte ${ifd} is past the end`);
  }
  const n = v.getUint16(ifd, le);
  if (ifd + 2 + 12 * n > bytes.length) return fail("the first IFD is cut off");

  // Tag -> its values (BYTE, SHORT and LONG fields; other types are kept as absent).
  const fields = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + 12 * k;
    const tag = v.getUint16(e, le), type = v.getUint16(e + 2, le), count = v.getUint32(e + 4, le);
    const size = TYPE_SIZE[type];
    if (size === undefined || (type !== 1 && type !== 3 && type !== 4)) continue;
    const at = count * size <= 4 ? e + 8 : v.getUint32(e + 8, le);
    if (count > bytes.length || at + count * size > bytes.length) {
      return fail(`field ${tag} (${count} values at byte ${at}) is past the end of the file`);
    }
    const vals = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const p = at + i * size;
      vals[i] = type === 1 ? bytes[p] : type === 3 ? v.getUint16(p, le) : v.getUint32(p, le);
    }
    fields.set(tag, vals);
  }
  const one = (tag: number, d?: number) => fields.get(tag)?.[0] ?? d;

  const width = one(256) ?? 0, height = one(257) ?? 0;
  if (width < 1 || height < 1) return fail(`the first IFD declares ${width}x${height} pixels`);
  if (fields.has(322) || fields.has(324)) return fail("tiled TIFF is not supported (only strips)");
  const compression = one(259, 1)!;
  if (![1, 5, 8, 32946, 32773].includes(compression)) {
    const name = COMPRESSION_NAMES[compression];
    return fail(`${name ?? `compression ${compression}`} is not supported`);
  }
  const spp = one(277, 1)!;
  const bpsAll = fields.get(258) ?? [1];
  const bps = bpsAll[0];
  if (bpsAll.some((b) => b !== bps)) {
    return fail(`mixed bits per sample (${bpsAll}) is not supported`);
  }
  if (bps !== 1 && bps !== 8 && bps !== 16) return fail(`${bps} bits per sample is not supported`);
  if ((fields.get(339) ?? [1]).some((f) => f !== 1)) {
    return fail("signed or floating-point samples are not supported");
  }
  if (spp > 1 && one(284, 1) === 2) {
    return fail("planar storage (one plane per colour) is not supported");
  }
  const photometric = one(262) ?? (spp >= 3 ? 2 : 1);
  if (photometric > 3) {
    return fail(
      `${PHOTOMETRIC_NAMES[photometric] ?? `photometric ${photometric}`} colour is not supported`,
    );
  }
  const colours = photometric === 2 ? 3 : 1;
  if (spp < colours) return fail(`RGB with ${spp} samples per pixel`);
  if (bps === 1 && (photometric === 2 || photometric === 3)) {
    return fail(`1-bit ${photometric === 2 ? "RGB" : "palette"} is not supported`);
  }
  const predictor = one(317, 1)!;
  if (predictor !== 1 && predictor !== 2) return fail(`predictor ${predictor} is not supported`);
  let palette: number[] | undefined;
  if (photometric === 3) {
    palette = fields.get(320);
    if (!palette || palette.length < 3 << bps) {
      return fail("a palette image without its colour map");
    }
  }

  const rowBytes = Math.ceil((width * spp * bps) / 8);
  const rowsPerStrip = Math.min(one(278, height)!, height);
  const offsets = fields.get(273);
  if (!offsets) return fail("no strip offsets (field 273)");
  const strips = Math.ceil(height / rowsPerStrip);
  if (offsets.length < strips) return fail(`${offsets.length} strips for ${strips}`);
  let counts = fields.get(279);
  if (!counts && compression === 1 && strips === 1) counts = [rowBytes * height];
  if (!counts || counts.length < strips) return fail("no strip byte counts (field 279)");

  const out = new Uint8Array(width * height * 4);
  for (let s = 0; s < strips; s++) {
    const rows = Math.min(rowsPerStrip, height - s * rowsPerStrip);
    const expected = rows * rowBytes;
    const start = offsets[s], end = start + counts[s];
    if (end > bytes.length) return fail(`strip ${s} ends past the end of the file (cut off?)`);
    const raw = bytes.subarray(start, end);
    let data: Uint8Array;
    if (compression === 1) data = raw;
    else if (compression === 32773) data = unpackBits(raw, expected);
    else if (compression === 5) {
      const r = decodeLzw(raw, expected);
      if (typeof r === "string") return fail(`strip ${s}: ${r}`);
      data = r;
    } else {
      try {
        data = await inflate(raw);
      } catch {
        return fail(`strip ${s}: the Deflate data is corrupt`);
      }
    }
    if (data.length < expected) {
      return fail(
        `strip ${s} holds ${data.length} bytes of pixels, expected ${expected} (cut off or corrupt)`,
      );
    }
    if (predictor === 2) undoPredictor(data, rows, rowBytes, width, spp, bps, le);
    for (let y = 0; y < rows; y++) {
      toRgba(
        data,
        y * rowBytes,
        out,
        (s * rowsPerStrip + y) * width * 4,
        width,
        spp,
        bps,
        le,
        photometric,
        palette,
      );
    }
  }
  return E.right({ width, height, data: out });
};

/** PackBits (Apple; TIFF 6.0 section 9) into `expected` bytes at most. */
const unpackBits = (src: Uint8Array, expected: number): Uint8Array => {
  const out = new Uint8Array(expected);
  let i = 0, o = 0;
  while (i < src.length && o < expected) {
    const n = (src[i++] << 24) >> 24;
    if (n >= 0) {
      const end = Math.min(i + n + 1, src.length);
      for (; i < end && o < expected; i++) out[o++] = src[i];
      i = end;
    } else if (n !== -128 && i < src.length) {
      const b = src[i++];
      for (let k = 0; k < 1 - n && o < expected; k++) out[o++] = b;
    }
  }
  return out.subarray(0, o);
};

/**
 * TIFF's LZW (TIFF 6.0 section 13): codes most significant bit first, 9 to 12 bits, Clear 256,
 * EndOfInformation 257, the code width growing one code early (at 511, 1023, 2047), as libtiff
 * reads it. Returns at most `expected` bytes, or a message.
 */
export const decodeLzw = (src: Uint8Array, expected: number): Uint8Array | string => {
  if (src.length >= 2 && src[0] === 0 && (src[1] & 1) === 1) {
    return "old-style (TIFF 5) LZW is not supported";
  }
  const prefix = new Int32Array(4096).fill(-1);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Int32Array(4096);
  for (let i = 0; i < 256; i++) (suffix[i] = i), (first[i] = i), (length[i] = 1);
  const out = new Uint8Array(expected);
  let o = 0, next = 258, width = 9, prev = -1, bit = 0;
  const total = src.length * 8;
  const emit = (code: number) => {
    const len = length[code];
    let c = code;
    for (let k = len - 1; k >= 0; k--) {
      if (o + k < expected) out[o + k] = suffix[c];
      c = prefix[c];
    }
    o += len;
  };
  while (bit + width <= total && o < expected) {
    let code = 0;
    for (let k = 0; k < width; k++, bit++) {
      code = (code << 1) | ((src[bit >> 3] >> (7 - (bit & 7))) & 1);
    }
    if (code === 257) break;
    if (code === 256) {
      (next = 258), (width = 9), (prev = -1);
      continue;
    }
    if (prev === -1) {
      if (code > 255) return `the LZW data is corrupt (code ${code} after a clear code)`;
      emit(code);
      prev = code;
      continue;
    }
    if (code > next || (code === next && next >= 4096)) {
      return `the LZW data is corrupt (code ${code}, only ${next} defined)`;
    }
    if (next < 4096) {
      // The new entry is prev's string plus the first byte of code's string (prev's own
      // first byte when code is the entry being defined).
      prefix[next] = prev;
      suffix[next] = code === next ? first[prev] : first[code];
      first[next] = first[prev];
      length[next] = length[prev] + 1;
      next++;
    }
    emit(code);
    prev = code;
    if (next >= (1 << width) - 1 && width < 12) width++;
  }
  return out.subarray(0, Math.min(o, expected));
};

/** Undoes the horizontal differencing predictor (TIFF 6.0 section 14), in place. */
const undoPredictor = (
  d: Uint8Array,
  rows: number,
  rowBytes: number,
  width: number,
  spp: number,
  bps: number,
  le: boolean,
): void => {
  if (bps === 8) {
    for (let y = 0; y < rows; y++) {
      const r = y * rowBytes;
      for (let i = spp; i < width * spp; i++) d[r + i] = (d[r + i] + d[r + i - spp]) & 255;
    }
  } else if (bps === 16) {
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let y = 0; y < rows; y++) {
      const r = y * rowBytes;
      for (let i = spp; i < width * spp; i++) {
        const sum = (v.getUint16(r + 2 * i, le) + v.getUint16(r + 2 * (i - spp), le)) & 0xffff;
        v.setUint16(r + 2 * i, sum, le);
      }
    }
  }
};

/** One row of samples to RGBA (16-bit samples keep their high byte; alpha is set opaque). */
const toRgba = (
  d: Uint8Array,
  at: number,
  out: Uint8Array,
  to: number,
  width: number,
  spp: number,
  bps: number,
  le: boolean,
  photometric: number,
  palette: number[] | undefined,
): void => {
  const sample = bps === 16
    ? (i: number) => d[at + 2 * i + (le ? 1 : 0)]
    : bps === 8
    ? (i: number) => d[at + i]
    : (i: number) => ((d[at + (i >> 3)] >> (7 - (i & 7))) & 1) * 255;
  const entries = palette ? palette.length / 3 : 0;
  for (let x = 0; x < width; x++) {
    const o = to + 4 * x;
    if (photometric === 2) {
      out[o] = sample(x * spp);
      out[o + 1] = sample(x * spp + 1);
      out[o + 2] = sample(x * spp + 2);
    } else if (photometric === 3) {
      // The colour map holds 16-bit reds, then greens, then blues.
      const index = bps === 16
        ? d[at + 2 * x * spp + (le ? 0 : 1)] | (d[at + 2 * x * spp + (le ? 1 : 0)] << 8)
        : d[at + x * spp];
      const k = Math.min(index, entries - 1);
      out[o] = palette![k] >> 8;
      out[o + 1] = palette![entries + k] >> 8;
      out[o + 2] = palette![2 * entries + k] >> 8;
    } else {
      const g = photometric === 0 ? 255 - sample(x * spp) : sample(x * spp);
      out[o] = out[o + 1] = out[o + 2] = g;
    }
    out[o + 3] = 255;
  }
};
