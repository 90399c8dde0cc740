/**
 * JPEG decoding with MozJPEG (libjpeg-turbo's decoder, npm `@jsquash/jpeg`, Apache-2.0): 2-3x
 * faster than imagescript's decoder, and pixel for pixel what the reference pipeline (PIL, on
 * libjpeg-turbo) decodes, which brings our faces closer to the reference's. Images it refuses
 * (CMYK, corrupt data) fall back to imagescript in `decode.ts`.
 *
 * The decoder is an Emscripten module: after a failure its state is not trusted, so a fresh
 * instance is made for the next image.
 *
 * @module
 */
import decode, { init } from "@jsquash/jpeg/decode.js";
import { fileURLToPath } from "node:url";

let compiled: WebAssembly.Module | undefined;
let ready: Promise<void> | undefined;

const start = (): Promise<void> => {
  if (!compiled) {
    // Deno is taken for Node by the Emscripten glue: hand it the compiled module ourselves.
    const url = import.meta.resolve("@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm");
    const bytes = Deno.readFileSync(url.startsWith("file:") ? fileURLToPath(url) : url);
    compiled = new WebAssembly.Module(bytes);
  }
  // Its warnings ("Premature end of JPEG file") go nowhere: our errors say what went wrong.
  const quiet = { print: () => {}, printErr: () => {} };
  const initWith = init as unknown as (m: WebAssembly.Module, o: unknown) => Promise<void>;
  return (ready = initWith(compiled, quiet));
};

let observer: ((pixels: number) => void) | undefined;

/**
 * Tests' hook: `f` is told of every MozJPEG decode, with the pixels it produced (-1: failed).
 * Not part of the published API.
 */
export const observeJpegDecodes = (f?: (pixels: number) => void): void => {
  observer = f;
};

/** Decoded JPEG pixels: RGBA, stored order (EXIF orientation not applied). */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/**
 * Decodes a JPEG with MozJPEG; undefined when it cannot (the caller falls back to another
 * decoder, which words the error).
 */
export const decodeJpegFast = async (bytes: Uint8Array): Promise<Rgba | undefined> => {
  try {
    await (ready ?? start());
    // The decoder copies the bytes into its own memory: hand it the buffer itself when the view
    // covers all of it, a copy of the view otherwise.
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength &&
      bytes.buffer instanceof ArrayBuffer;
    const copy = (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
    // Stored pixel order: in @jsquash/jpeg 1.6 that is `preserveOrientation: false` (true turns
    // the image by its EXIF tag; loadImage does that itself, tested for all 8 orientations).
    const img = await decode(copy, { preserveOrientation: false });
    observer?.(img ? img.width * img.height : -1);
    const data: unknown = img?.data;
    if (!(data instanceof Uint8ClampedArray) || img.width < 1 || img.height < 1) return undefined;
    if (data.length !== img.width * img.height * 4) return undefined;
    return { width: img.width, height: img.height, data };
  } catch {
    observer?.(-1);
    ready = undefined; // a fresh instance next time
    return undefined;
  }
};
