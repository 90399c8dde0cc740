/**
 * The in-memory image every stage works on: packed 8-bit RGB, row-major.
 *
 * @module
 */

/** Packed RGB pixels: `data[(y * width + x) * 3 + c]`, c = 0 red, 1 green, 2 blue. */
export interface RgbImage {
  /** Width in pixels (>= 1). */
  readonly width: number;
  /** Height in pixels (>= 1). */
  readonly height: number;
  /** width * height * 3 bytes. */
  readonly data: Uint8Array;
}
