/**
 * Image decoding in a browser (page or Web Worker), in place of `../decode.ts` in the browser
 * bundle (`web/build.ts` swaps the module): the browser's own decoders through
 * `createImageBitmap` and an `OffscreenCanvas`, with the same exports and the same contract as
 * the Deno edge: stored pixel order (the load stage applies the EXIF orientation itself), no
 * colour management, and an empty or unknown file is a DecodeError before any decoder runs.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../../../lib/errors.ts";
import { rgbaToRgb, type RgbImage } from "../../../lib/image.ts";
import {
  decodeFailure,
  encodedFormat,
  readImageHeader,
  sniffImageFormat,
} from "../../../lib/image_header.ts";
import type { Result } from "../../../lib/result.ts";

/** The image format named by the first bytes (JPEG, PNG, GIF or TIFF), or undefined. */
export const sniffFormat = (bytes: Uint8Array): string | undefined => sniffImageFormat(bytes);

/** Packs RGBA pixels to RGB (alpha is dropped); one implementation for every runtime. */
export { rgbaToRgb };

/** Decoded pixels, RGBA, stored order. */
export interface RgbaPixels {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** width * height * 4 values. */
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** What we use of a bitmap: `ImageBitmap` in a browser. */
export interface BitmapLike {
  readonly width: number;
  readonly height: number;
  close(): void;
}

interface Context2d {
  clearRect(x: number, y: number, w: number, h: number): void;
  drawImage(image: BitmapLike, x: number, y: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}

interface BrowserGlobals {
  createImageBitmap?: (blob: Blob, options: Record<string, string>) => Promise<BitmapLike>;
  OffscreenCanvas?: new (w: number, h: number) => {
    getContext(kind: "2d", options: Record<string, unknown>): Context2d | null;
  };
}

/** One canvas per thread, reused while the size stays (a webcam's frames): no churn per frame. */
let scratch: { width: number; height: number; ctx: Context2d } | undefined;

const contextFor = (width: number, height: number): Context2d => {
  if (scratch && scratch.width === width && scratch.height === height) return scratch.ctx;
  const g = globalThis as unknown as BrowserGlobals;
  if (!g.OffscreenCanvas) throw new Error("this runtime has no OffscreenCanvas");
  const ctx = new g.OffscreenCanvas(width, height).getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new Error("no 2d context on an OffscreenCanvas");
  scratch = { width, height, ctx };
  return ctx;
};

/**
 * The RGBA pixels of a bitmap (an `ImageBitmap`, e.g. a video frame), read through an
 * `OffscreenCanvas`. Borrows the bitmap: the caller closes it.
 */
export const bitmapToRgba = (bitmap: BitmapLike): RgbaPixels => {
  const { width, height } = bitmap;
  const ctx = contextFor(width, height);
  ctx.clearRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0);
  return { width, height, data: ctx.getImageData(0, 0, width, height).data };
};

/** What we use of a WebCodecs `VideoFrame` (a camera frame). */
export interface VideoFrameLike {
  readonly visibleRect: { readonly width: number; readonly height: number } | null;
  allocationSize(options: { format: "RGBA" }): number;
  copyTo(destination: Uint8Array, options: { format: "RGBA" }): Promise<unknown>;
  close(): void;
}

/**
 * The RGBA pixels of a video frame, converted by `VideoFrame.copyTo` (no canvas). Chromium's
 * canvas path for video (drawImage or createImageBitmap of a video, even when closed) kept
 * about 0.6 MB per frame in our webcam loop; copyTo keeps memory flat (docs/speed.md).
 * Borrows the frame: the caller closes it.
 */
export const videoFrameToRgba = async (frame: VideoFrameLike): Promise<RgbaPixels> => {
  const width = frame.visibleRect?.width ?? 0;
  const height = frame.visibleRect?.height ?? 0;
  const data = new Uint8Array(frame.allocationSize({ format: "RGBA" }));
  await frame.copyTo(data, { format: "RGBA" });
  if (width < 1 || height < 1 || data.length !== width * height * 4) {
    throw new Error(`a ${width}x${height} video frame gave ${data.length} bytes of RGBA`);
  }
  return { width, height, data };
};

/**
 * Decodes encoded image bytes to RGBA with the browser's decoders; a DecodeError says why it
 * failed. Stored pixel order (`imageOrientation: "none"`), no colour-space conversion.
 */
export const decodeRgba = async (
  bytes: Uint8Array,
  what = "image",
): Promise<Result<MtcnnError, RgbaPixels>> => {
  const sniffed = encodedFormat(bytes, what);
  if (sniffed._tag === "Left") return sniffed;
  const format = sniffed.right;
  const header = readImageHeader(bytes);
  // A cut-off JPEG is an error, as in the Deno edge; the browser would fill it with grey.
  if (header._tag === "Right" && header.right.truncated) {
    return E.left(
      mtcnnError("DecodeError", `${what}: ${decodeFailure(bytes, format, "truncated")}`),
    );
  }
  const g = globalThis as unknown as BrowserGlobals;
  if (!g.createImageBitmap) {
    return E.left(mtcnnError("DecodeError", `${what}: this runtime has no createImageBitmap`));
  }
  let bitmap: BitmapLike | undefined;
  try {
    bitmap = await g.createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
      imageOrientation: "none",
      colorSpaceConversion: "none",
      premultiplyAlpha: "none",
    });
    if (bitmap.width < 1 || bitmap.height < 1) {
      return E.left(mtcnnError("DecodeError", `${what}: ${format} decoded to no pixels`));
    }
    return E.right(bitmapToRgba(bitmap));
  } catch (e) {
    return E.left(mtcnnError("DecodeError", `${what}: ${decodeFailure(bytes, format, e)}`, e));
  } finally {
    bitmap?.close();
  }
};

/**
 * The Deno edge's fallback decoder; in a browser the same decoders as {@linkcode decodeRgba}.
 * The load stage calls it only for empty or unknown files, which are DecodeErrors.
 */
export const decodeToImage = decodeRgba;

/** Decodes encoded image bytes to packed RGB, in stored pixel order. */
export const decodeRgb = async (
  bytes: Uint8Array,
  what = "image",
): Promise<Result<MtcnnError, RgbImage>> => {
  const r = await decodeRgba(bytes, what);
  return r._tag === "Left" ? r : E.right(rgbaToRgb(r.right.width, r.right.height, r.right.data));
};
