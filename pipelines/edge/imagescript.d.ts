/**
 * Types for the part of imagescript 1.3 this library and its users touch. The package's own
 * `ImageScript.d.ts` is not valid TypeScript (`Generator<Frame, void, *>` and `async` methods in
 * a declaration file): the type checker tolerates it, but `deno doc` cannot parse it and warns,
 * and every public signature that names `Image` then documents an unknown type. Our imports of
 * "imagescript" take these declarations instead (`// @ts-types`); the runtime module is the
 * package's. Instances of the package's `Image` are assignable to this one (same members).
 *
 * @module
 */

/** A decoded RGBA image (imagescript's `Image`). */
export declare class Image {
  /** Width * height * 4 bytes, RGBA, rows top to bottom. */
  bitmap: Uint8ClampedArray;
  /** A transparent black image of this size. */
  constructor(width: number, height: number);
  /** Width in pixels. */
  get width(): number;
  /** Height in pixels. */
  get height(): number;
  /** The colour at 1-based (x, y) as 0xRRGGBBAA. */
  getPixelAt(x: number, y: number): number;
  /** Sets the colour at 1-based (x, y) (0xRRGGBBAA). */
  setPixelAt(x: number, y: number, pixelColor: number): Image;
  /** A copy. */
  clone(): Image;
  /** Resizes in place (a side of -1 keeps the aspect ratio). */
  resize(width: number, height: number, mode?: string): Image;
  /** Crops in place. */
  crop(x: number, y: number, width: number, height: number): Image;
  /** Fills a rectangle (1-based x, y) with a 0xRRGGBBAA colour. */
  drawBox(x: number, y: number, width: number, height: number, color: number): Image;
  /** PNG bytes (compression 0-9). */
  encode(compression?: number): Promise<Uint8Array>;
  /** JPEG bytes (quality 1-100). */
  encodeJPEG(quality?: number): Promise<Uint8Array>;
  /** Decodes PNG, JPEG or TIFF bytes. */
  static decode(data: Uint8Array): Promise<Image>;
  /** 0xRRGGBBAA from components 0-255. */
  static rgbaToColor(r: number, g: number, b: number, a: number): number;
  /** 0xRRGGBBff from components 0-255. */
  static rgbToColor(r: number, g: number, b: number): number;
  /** [r, g, b, a] of a 0xRRGGBBAA colour. */
  static colorToRGBA(color: number): number[];
}

/** One frame of a GIF (imagescript's `Frame`). */
export declare class Frame extends Image {
  /** Display time in milliseconds. */
  duration: number;
}

/** The frames of a GIF (imagescript's `GIF`). */
export declare class GIF extends Array<Frame> {
  /** Width of the logical screen. */
  get width(): number;
  /** Height of the logical screen. */
  get height(): number;
  /** Decodes GIF bytes (only the first frame when `onlyExtractFirstFrame`). */
  static decode(data: Uint8Array, onlyExtractFirstFrame?: boolean): Promise<GIF>;
}
