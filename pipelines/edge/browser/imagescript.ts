/**
 * imagescript in a browser bundle: no imagescript `Image` exists there (the browser edge decodes
 * with the browser's own decoders), so the load stage's `instanceof Image` checks are false.
 * `web/build.ts` maps `imagescript` here; this class is never constructed by the library.
 *
 * @module
 */

/** The type the load stage tests inputs against; no browser input is one. */
export class Image {
  /** Width in pixels. */
  readonly width: number = 0;
  /** Height in pixels. */
  readonly height: number = 0;
  /** RGBA pixels. */
  readonly bitmap: Uint8ClampedArray = new Uint8ClampedArray(0);
}
