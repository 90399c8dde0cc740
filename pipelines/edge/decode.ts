/**
 * Image decoding (imagescript: JPEG, PNG, GIF's first frame, TIFF) to packed RGB.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { Image } from "imagescript";
import { describe, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { RgbImage } from "../../lib/image.ts";
import type { Result } from "../../lib/result.ts";

const MAGIC: readonly [string, number[]][] = [
  ["JPEG", [0xff, 0xd8, 0xff]],
  ["PNG", [0x89, 0x50, 0x4e, 0x47]],
  ["GIF", [0x47, 0x49, 0x46, 0x38]],
  ["TIFF", [0x49, 0x49, 0x2a, 0x00]],
  ["TIFF", [0x4d, 0x4d, 0x00, 0x2a]],
];

/** The image format named by the first bytes, or undefined. */
export const sniffFormat = (bytes: Uint8Array): string | undefined =>
  MAGIC.find(([, m]) => m.every((b, i) => bytes[i] === b))?.[0];

/** Packs imagescript's RGBA bitmap to RGB (alpha is dropped; imagescript expands gray). */
export const imageToRgb = (img: Image): RgbImage => {
  const src = img.bitmap;
  const n = img.width * img.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    data[i * 3] = src[j];
    data[i * 3 + 1] = src[j + 1];
    data[i * 3 + 2] = src[j + 2];
  }
  return { width: img.width, height: img.height, data };
};

/** Decodes encoded image bytes to an imagescript Image; a DecodeError says why it failed. */
export const decodeToImage = async (
  bytes: Uint8Array,
  what = "image",
): Promise<Result<MtcnnError, Image>> => {
  if (bytes.length === 0) return E.left(mtcnnError("DecodeError", `${what}: the file is empty`));
  const format = sniffFormat(bytes);
  if (!format) {
    return E.left(
      mtcnnError("DecodeError", `${what}: not a JPEG, PNG, GIF or TIFF image (unknown format)`),
    );
  }
  try {
    const img = await Image.decode(bytes);
    if (!(img instanceof Image) || img.width < 1 || img.height < 1) {
      return E.left(mtcnnError("DecodeError", `${what}: ${format} decoded to no pixels`));
    }
    return E.right(img);
  } catch (e) {
    return E.left(mtcnnError("DecodeError", `${what}: cannot decode ${format}: ${describe(e)}`, e));
  }
};

/** Decodes encoded image bytes to packed RGB. */
export const decodeRgb = async (
  bytes: Uint8Array,
  what = "image",
): Promise<Result<MtcnnError, RgbImage>> => {
  const r = await decodeToImage(bytes, what);
  return r._tag === "Left" ? r : E.right(imageToRgb(r.right));
};
