/**
 * Drawing detections on an image (imagescript), for `detect --out`.
 *
 * @module
 */
// @ts-types="./imagescript.d.ts"
import { Image } from "imagescript";
import type { Face } from "../../lib/face.ts";
import type { RgbImage } from "../../lib/image.ts";

const BOX = 0x00ff00ff;
const POINT = 0xff3030ff;

/**
 * An imagescript Image of packed RGB pixels (opaque).
 *
 * @example
 * ```ts
 * import { rgbToImage } from "@mtcnn/mtcnn/align";
 * const img = rgbToImage({ width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 255]) });
 * console.log(img.width, img.height); // 2 1
 * ```
 */
export const rgbToImage = (rgb: RgbImage): Image => {
  const img = new Image(rgb.width, rgb.height);
  const n = rgb.width * rgb.height;
  for (let i = 0; i < n; i++) {
    img.bitmap[4 * i] = rgb.data[3 * i];
    img.bitmap[4 * i + 1] = rgb.data[3 * i + 1];
    img.bitmap[4 * i + 2] = rgb.data[3 * i + 2];
    img.bitmap[4 * i + 3] = 255;
  }
  return img;
};

const rect = (img: Image, x: number, y: number, w: number, h: number, color: number) => {
  const x0 = Math.max(0, Math.round(x)), y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w)), y1 = Math.min(img.height, Math.round(y + h));
  if (x1 > x0 && y1 > y0) img.drawBox(x0 + 1, y0 + 1, x1 - x0, y1 - y0, color);
};

/**
 * Draws each face's box (green, xywh or xyxy as given) and landmarks (red) on a copy of the
 * image and returns it.
 *
 * @example
 * ```ts
 * import { drawFaces } from "@mtcnn/mtcnn/align";
 * const img = { width: 50, height: 50, data: new Uint8Array(50 * 50 * 3) };
 * const out = drawFaces(img, [{ box: [10, 10, 20, 20], confidence: 1 }]);
 * console.log(out.width); // 50
 * ```
 */
export const drawFaces = (
  rgb: RgbImage,
  faces: readonly Face[],
  boxFormat: "xywh" | "xyxy" = "xywh",
): Image => {
  const img = rgbToImage(rgb);
  const t = Math.max(1, Math.round(Math.min(rgb.width, rgb.height) / 300));
  for (const f of faces) {
    const [x, y, a, b] = f.box;
    const w = boxFormat === "xyxy" ? a - x : a, h = boxFormat === "xyxy" ? b - y : b;
    rect(img, x, y, w, t, BOX);
    rect(img, x, y + h - t, w, t, BOX);
    rect(img, x, y, t, h, BOX);
    rect(img, x + w - t, y, t, h, BOX);
    for (const p of Object.values(f.keypoints ?? {})) {
      const r = Math.max(1, t * 1.5);
      rect(img, p[0] - r, p[1] - r, 2 * r, 2 * r, POINT);
    }
  }
  return img;
};
