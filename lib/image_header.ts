/**
 * Image dimensions read from a JPEG or PNG header, so that an image too large to decode can be
 * refused before any pixel memory is allocated.
 *
 * @module
 */

/** Width and height of an encoded image. */
export interface ImageSize {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

const pngSize = (b: Uint8Array): ImageSize | undefined => {
  if (b.length < 24) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
};

const jpegSize = (b: Uint8Array): ImageSize | undefined => {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) i += 2;
    else i += 2 + len;
  }
  return undefined;
};

/** The size in a JPEG or PNG header, or undefined when the header does not say. */
export const readImageSize = (bytes: Uint8Array): ImageSize | undefined => {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return pngSize(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes);
  return undefined;
};
