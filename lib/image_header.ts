/**
 * Image dimensions read from an encoded image's headers (JPEG, PNG, GIF, TIFF), so that an image
 * too large to decode can be refused before any pixel memory is allocated. Every size a decoder
 * could act on is read: all the frame headers of a JPEG (a corrupt or crafted file may hold
 * several), every frame of a GIF, and a PNG's IHDR, which must be the first chunk.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "./errors.ts";
import type { Result } from "./result.ts";

/** Width and height of an encoded image. */
export interface ImageSize {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/** The encoded formats whose headers are read. */
export type ImageFormat = "JPEG" | "PNG" | "GIF" | "TIFF";

/** What the headers of an encoded image declare. */
export interface ImageHeader extends ImageSize {
  /** The format, from the first bytes. */
  readonly format: ImageFormat;
  /** True when the end marker (JPEG EOI, PNG IEND, GIF trailer) is missing: a cut-off file. */
  readonly truncated: boolean;
}

type Parsed = Result<string, { sizes: ImageSize[]; truncated: boolean }>;

const u16be = (b: Uint8Array, i: number): number => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8);
const u32be = (b: Uint8Array, i: number): number =>
  ((b[i] << 24) >>> 0) + (u16be(b, i + 2) | (b[i + 1] << 16));

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), plus DHP (DE): markers with a frame size. */
const isFrameMarker = (m: number): boolean =>
  (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) || m === 0xde;

/** Index of the next marker after entropy-coded data (FF not followed by 00, FF or RSTn). */
const skipEntropy = (b: Uint8Array, i: number): number => {
  // The next FF by the runtime's native search (most of a file is entropy-coded data).
  for (i = b.indexOf(0xff, i); i >= 0 && i + 1 < b.length; i = b.indexOf(0xff, i + 1)) {
    const n = b[i + 1];
    if (n !== 0 && n !== 0xff && !(n >= 0xd0 && n <= 0xd7)) return i;
  }
  return b.length;
};

// Segment walk as in ITU T.81 annex B; bytes between segments are skipped to the next 0xFF,
// as libjpeg's next_marker does, so that every frame header a tolerant decoder finds is seen.
const jpegSizes = (b: Uint8Array): Parsed => {
  const sizes: ImageSize[] = [];
  let i = 2;
  while (i + 1 < b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const m = b[i + 1];
    if (m === 0xff || m === 0x00) {
      i++;
      continue;
    }
    if (m === 0xd9) {
      return sizes.length
        ? E.right({ sizes, truncated: false })
        : E.left("no frame header (SOF) before the end marker");
    }
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      i += 2;
      continue;
    }
    if (i + 3 >= b.length) break;
    const len = u16be(b, i + 2);
    if (len < 2) return E.left(`a segment length of ${len} at byte ${i + 2}`);
    if (isFrameMarker(m)) {
      if (i + 8 >= b.length) break;
      const size = { height: u16be(b, i + 5), width: u16be(b, i + 7) };
      if (size.width === 0 || size.height === 0) {
        return E.left(`a frame header declares ${size.width}x${size.height} pixels`);
      }
      sizes.push(size);
    }
    if (m === 0xda && sizes.length === 0) {
      return E.left("image data (SOS) before any frame header (SOF)");
    }
    i = m === 0xda ? skipEntropy(b, i + 2 + len) : i + 2 + len;
  }
  return sizes.length
    ? E.right({ sizes, truncated: true })
    : E.left("no frame header (SOF): the file is cut off or not a JPEG");
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const IEND = [0x49, 0x45, 0x4e, 0x44];

const pngSizes = (b: Uint8Array): Parsed => {
  if (!PNG_SIGNATURE.every((v, k) => b[k] === v)) {
    return E.left("the 8-byte PNG signature is damaged");
  }
  if (b.length < 33) return E.left(`the file is cut off in its header (${b.length} bytes)`);
  const type = String.fromCharCode(...b.subarray(12, 16));
  if (type !== "IHDR" || u32be(b, 8) !== 13) {
    return E.left(
      `the first chunk must be a 13-byte IHDR, got ${JSON.stringify(type)} of ${u32be(b, 8)} bytes`,
    );
  }
  const size = { width: u32be(b, 16), height: u32be(b, 20) };
  if (
    size.width === 0 || size.height === 0 || size.width > 0x7fffffff || size.height > 0x7fffffff
  ) {
    return E.left(`IHDR declares ${size.width}x${size.height} pixels`);
  }
  const end = b.length - 8;
  const truncated = !(end >= 33 && IEND.every((v, k) => b[end + k] === v));
  return E.right({ sizes: [size], truncated });
};

// GIF89a: the logical screen, then every image descriptor (blocks after the colour tables).
const gifSizes = (b: Uint8Array): Parsed => {
  if (b.length < 13) return E.left(`the file is cut off in its header (${b.length} bytes)`);
  const sizes: ImageSize[] = [{ width: u16le(b, 6), height: u16le(b, 8) }];
  const table = (flags: number) => (flags & 0x80 ? 3 << ((flags & 7) + 1) : 0);
  let i = 13 + table(b[10]);
  const subBlocks = (k: number) => {
    while (k < b.length && b[k] !== 0) k += b[k] + 1;
    return k + 1;
  };
  while (i < b.length) {
    if (b[i] === 0x3b) return E.right({ sizes, truncated: false });
    if (b[i] === 0x21) i = subBlocks(i + 2);
    else if (b[i] === 0x2c && i + 9 < b.length) {
      sizes.push({ width: u16le(b, i + 5), height: u16le(b, i + 7) });
      i = subBlocks(i + 11 + table(b[i + 9]));
    } else if (b[i] === 0x2c) break;
    else return E.left(`an unknown block 0x${b[i].toString(16)} at byte ${i}`);
  }
  return E.right({ sizes, truncated: true });
};

// TIFF 6.0: ImageWidth (256) and ImageLength (257) of the first IFD, SHORT or LONG.
const tiffSizes = (b: Uint8Array): Parsed => {
  const le = b[0] === 0x49;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 8) return E.left(`the file is cut off in its header (${b.length} bytes)`);
  if (v.getUint16(2, le) === 43) return E.left("BigTIFF is not supported");
  const ifd = v.getUint32(4, le);
  if (ifd + 2 > b.length) return E.left(`the first IFD at byte ${ifd} is past the end`);
  const n = v.getUint16(ifd, le);
  let width = 0, height = 0;
  for (let k = 0; k < n && ifd + 2 + 12 * k + 12 <= b.length; k++) {
    const e = ifd + 2 + 12 * k;
    const tag = v.getUint16(e, le);
    const value = v.getUint16(e + 2, le) === 3 ? v.getUint16(e + 8, le) : v.getUint32(e + 8, le);
    if (tag === 256) width = value;
    if (tag === 257) height = value;
  }
  if (width === 0 || height === 0) {
    return E.left(`the first IFD declares ${width}x${height} pixels`);
  }
  return E.right({ sizes: [{ width, height }], truncated: false });
};

/**
 * The format named by the first bytes of an encoded image, or undefined.
 */
export const sniffImageFormat = (b: Uint8Array): ImageFormat | undefined =>
  b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff
    ? "JPEG"
    : b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47
    ? "PNG"
    : b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38
    ? "GIF"
    : (b[0] === 0x49 && b[1] === 0x49 && (b[2] === 0x2a || b[2] === 0x2b) && b[3] === 0) ||
        (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && (b[3] === 0x2a || b[3] === 0x2b))
    ? "TIFF" // 42, or 43: BigTIFF, which the decoder refuses by name
    : undefined;

/**
 * The format of encoded image bytes, or a DecodeError naming `what` when they are empty or of no
 * format we decode (the first check of every runtime's decoder).
 */
export const encodedFormat = (
  bytes: Uint8Array,
  what: string,
): Result<MtcnnError, ImageFormat> => {
  if (bytes.length === 0) return E.left(mtcnnError("DecodeError", `${what}: the file is empty`));
  const format = sniffImageFormat(bytes);
  return format ? E.right(format) : E.left(
    mtcnnError("DecodeError", `${what}: not a JPEG, PNG, GIF or TIFF image (unknown format)`),
  );
};

/**
 * Reads the format and the largest size (by area) declared anywhere in an image's headers; a
 * Left says in words why the headers cannot be read (a file no decoder should be given).
 */
export const readImageHeader = (bytes: Uint8Array): Result<string, ImageHeader> => {
  const format = sniffImageFormat(bytes);
  if (!format) return E.left("not a JPEG, PNG, GIF or TIFF image (unknown format)");
  const parsed = format === "JPEG"
    ? jpegSizes(bytes)
    : format === "PNG"
    ? pngSizes(bytes)
    : format === "GIF"
    ? gifSizes(bytes)
    : tiffSizes(bytes);
  if (parsed._tag === "Left") return parsed;
  const largest = parsed.right.sizes.reduce((a, s) =>
    s.width * s.height > a.width * a.height ? s : a
  );
  return E.right({
    format,
    width: largest.width,
    height: largest.height,
    truncated: parsed.right.truncated,
  });
};

/**
 * The size in a JPEG, PNG, GIF or TIFF header (the largest declared), or undefined when the
 * headers do not say.
 */
export const readImageSize = (bytes: Uint8Array): ImageSize | undefined => {
  const h = readImageHeader(bytes);
  return h._tag === "Right" ? { width: h.right.width, height: h.right.height } : undefined;
};

/**
 * Why encoded bytes of `format` failed to decode, in words: cut off (no end marker), a bad header,
 * or corrupt data, with the decoder's own message (a wasm trap, "unreachable", said plainly).
 */
export const decodeFailure = (bytes: Uint8Array, format: string, e: unknown): string => {
  const header = readImageHeader(bytes);
  const cut = header._tag === "Right" && header.right.truncated
    ? "the file is cut off (no end marker)"
    : header._tag === "Left"
    ? header.left
    : "the data is corrupt";
  const msg = describe(e);
  return `cannot decode ${format}: ${cut} (${
    msg === "unreachable" ? "the decoder stopped on invalid data" : msg
  })`;
};
