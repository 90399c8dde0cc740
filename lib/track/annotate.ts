/**
 * Drawing tracked faces on a frame: each track's box in a colour of its own, the five
 * landmarks, and the track id written above the box (a 3x5 pixel digit font, scaled), so that
 * a viewer of the annotated video sees which face is which.
 *
 * @module
 */
import type { BoxFormat } from "../face.ts";
import type { RgbImage } from "../image.ts";
import type { TrackedFace } from "./tracker.ts";

// Digits 0-9 of a 3x5 font, one 15-bit row-major mask each (top row first, bit 14 first).
const DIGITS = [
  0b111101101101111,
  0b010110010010111,
  0b111001111100111,
  0b111001111001111,
  0b101101111001001,
  0b111100111001111,
  0b111100111101111,
  0b111001001001001,
  0b111101111101111,
  0b111101111001111,
];

// Distinct, bright colours, cycled by track id.
const PALETTE: readonly (readonly [number, number, number])[] = [
  [0, 255, 0],
  [255, 200, 0],
  [0, 200, 255],
  [255, 80, 200],
  [160, 255, 80],
  [255, 120, 60],
  [140, 120, 255],
  [255, 255, 120],
];

/** The colour of a track (by id). */
export const trackColour = (id: number): readonly [number, number, number] =>
  PALETTE[(((id - 1) % PALETTE.length) + PALETTE.length) % PALETTE.length];

const fill = (
  img: { width: number; height: number; data: Uint8Array },
  x: number,
  y: number,
  w: number,
  h: number,
  c: readonly [number, number, number],
) => {
  const x0 = Math.max(0, Math.round(x)), y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w)), y1 = Math.min(img.height, Math.round(y + h));
  for (let yy = y0; yy < y1; yy++) {
    for (let xx = x0; xx < x1; xx++) {
      const o = (yy * img.width + xx) * 3;
      img.data[o] = c[0];
      img.data[o + 1] = c[1];
      img.data[o + 2] = c[2];
    }
  }
};

/**
 * Returns a copy of `frame` with each face's box and landmarks drawn in its track's colour and
 * its track id written above the box (inside it when the box touches the top). Borrows `frame`.
 *
 * @example
 * ```ts
 * import { drawTrackedFaces } from "./annotate.ts";
 * const frame = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) };
 * const out = drawTrackedFaces(frame, [{ box: [10, 20, 30, 30], confidence: 1, track: 7 }]);
 * console.log(out.data[(20 * 64 + 10) * 3 + 1]); // 255: the box's corner, green
 * ```
 */
export const drawTrackedFaces = (
  frame: RgbImage,
  faces: readonly TrackedFace[],
  boxFormat: BoxFormat = "xywh",
): RgbImage => {
  const img = { width: frame.width, height: frame.height, data: frame.data.slice() };
  const t = Math.max(1, Math.round(Math.min(frame.width, frame.height) / 300));
  for (const f of faces) {
    const c = trackColour(f.track);
    const [x, y, a, b] = f.box;
    const w = boxFormat === "xyxy" ? a - x : a, h = boxFormat === "xyxy" ? b - y : b;
    fill(img, x, y, w, t, c);
    fill(img, x, y + h - t, w, t, c);
    fill(img, x, y, t, h, c);
    fill(img, x + w - t, y, t, h, c);
    for (const p of Object.values(f.keypoints ?? {})) {
      const r = Math.max(1, t * 1.5);
      fill(img, p[0] - r, p[1] - r, 2 * r, 2 * r, [255, 48, 48]);
    }
    // The id: digits of 3x5 cells of `s` pixels on a label of the track's colour.
    const digits = String(f.track);
    const s = Math.max(2, 2 * t);
    const lw = digits.length * 4 * s + s, lh = 7 * s;
    const ly = y - lh >= 0 ? y - lh : y + t;
    fill(img, x, ly, lw, lh, c);
    for (const [k, ch] of [...digits].entries()) {
      const mask = DIGITS[Number(ch)];
      for (let bit = 0; bit < 15; bit++) {
        if (!(mask & (1 << (14 - bit)))) continue;
        const col = bit % 3, row = Math.floor(bit / 3);
        fill(img, x + s + k * 4 * s + col * s, ly + s + row * s, s, s, [0, 0, 0]);
      }
    }
  }
  return img;
};
