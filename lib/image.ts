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

/** Packs RGBA pixels to RGB (alpha is dropped). */
export const rgbaToRgb = (width: number, height: number, rgba: ArrayLike<number>): RgbImage => {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    data[i] = rgba[j];
    data[i + 1] = rgba[j + 1];
    data[i + 2] = rgba[j + 2];
  }
  return { width, height, data };
};
