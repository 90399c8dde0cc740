/**
 * The EXIF Orientation tag (0x0112) of an encoded image: how the stored pixels must be turned
 * to show the picture upright. Phones store pixels as the sensor saw them and record the
 * camera's rotation here. Read from a JPEG's APP1 "Exif" segment, a PNG's eXIf chunk or a
 * TIFF's first IFD; TIFF header in either byte order (EXIF 2.32, section 4.6.4).
 *
 * @module
 */

/**
 * EXIF orientation, 1 to 8 (EXIF 2.32, table 4): where the stored rows and columns go.
 * 1 upright, 2 mirrored left-right, 3 turned 180°, 4 mirrored top-bottom, 5 transposed,
 * 6 to be turned 90° clockwise to view, 7 transversed, 8 to be turned 90° anticlockwise.
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;
const SHORT = 3;

/**
 * The Orientation of a TIFF structure (from "II*\0" or "MM\0*"), or undefined when it holds
 * none or is malformed. Only IFD0 is read: that is where the tag lives for the main image.
 */
export const readTiffOrientation = (tiff: Uint8Array): Orientation | undefined => {
  if (tiff.length < 8) return undefined;
  const le = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!le && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined;
  const v = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (v.getUint16(2, le) !== 42) return undefined;
  const ifd = v.getUint32(4, le);
  if (ifd < 8 || ifd + 2 > tiff.length) return undefined;
  const n = v.getUint16(ifd, le);
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + 12 * k;
    if (e + 12 > tiff.length) return undefined;
    if (v.getUint16(e, le) !== ORIENTATION_TAG) continue;
    if (v.getUint16(e + 2, le) !== SHORT || v.getUint32(e + 4, le) < 1) return undefined;
    const o = v.getUint16(e + 8, le);
    return o >= 1 && o <= 8 ? o as Orientation : undefined;
  }
  return undefined;
};

const EXIF_PREFIX = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

const hasPrefix = (b: Uint8Array, at: number, p: readonly number[]): boolean =>
  p.every((x, k) => b[at + k] === x);

const jpegOrientation = (b: Uint8Array): Orientation | undefined => {
  let i = 2;
  while (i + 4 <= b.length && b[i] === 0xff) {
    const m = b[i + 1];
    if (m === 0xff) {
      i++;
      continue;
    }
    // Orientation lives in the header segments, which all come before the first SOS or EOI.
    if (m === 0xda || m === 0xd9) return undefined;
    const len = (b[i + 2] << 8) | b[i + 3];
    if (len < 2) return undefined;
    if (m === 0xe1 && hasPrefix(b, i + 4, EXIF_PREFIX)) {
      const end = Math.min(b.length, i + 2 + len);
      return readTiffOrientation(b.subarray(i + 10, end));
    }
    i += 2 + len;
  }
  return undefined;
};

const pngOrientation = (b: Uint8Array): Orientation | undefined => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // eXIf must come before IDAT (PNG 3rd edition, 11.3.6), so the walk stops there.
  for (let i = 8; i + 8 <= b.length;) {
    const len = v.getUint32(i);
    const type = String.fromCharCode(b[i + 4], b[i + 5], b[i + 6], b[i + 7]);
    if (type === "IDAT" || type === "IEND") return undefined;
    if (type === "eXIf") {
      const data = b.subarray(i + 8, Math.min(b.length, i + 8 + len));
      // Some writers keep the JPEG-style "Exif\0\0" prefix; accept both.
      return readTiffOrientation(hasPrefix(data, 0, EXIF_PREFIX) ? data.subarray(6) : data);
    }
    i += 12 + len;
  }
  return undefined;
};

/**
 * The EXIF orientation of an encoded JPEG, PNG or TIFF image; 1 (upright) when the image has no
 * orientation tag or the tag is unreadable.
 */
export const readExifOrientation = (bytes: Uint8Array): Orientation => {
  const b = bytes;
  const o = b[0] === 0xff && b[1] === 0xd8
    ? jpegOrientation(b)
    : b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47
    ? pngOrientation(b)
    : readTiffOrientation(b);
  return o ?? 1;
};
