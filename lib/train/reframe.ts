/**
 * Reframing an annotated image around its face: a square cut whose side is a multiple of the
 * eye-to-mouth distance, centred on the landmarks. Used to make training images framed like a
 * test set (AFLW's 150x150 crops have a side of 2.9 to 3.7 eye-to-mouth distances, centred
 * within 4%), so that the cascade's boxes cross the image border as often as they do there.
 *
 * @module
 */
import type { RgbImage } from "../image.ts";
import type { Prng } from "./prng.ts";
import type { AnnotatedFace } from "./samples.ts";

/** Side range in eye-to-mouth distances and centre jitter (fraction of the side). */
export interface ReframeRange {
  /** Smallest side, in eye-to-mouth distances. */
  readonly min: number;
  /** Largest side. */
  readonly max: number;
  /** Largest centre shift, as a fraction of the side (default 0.04). */
  readonly jitter?: number;
}

/**
 * The reframed image (pixels outside the source are black) and the face moved into it; the
 * face must have landmarks (x1..x5, y1..y5). Undefined for a face without landmarks.
 *
 * @example
 * ```ts
 * import { makePrng, reframe } from "@mtcnn/mtcnn/train";
 * const img = { width: 100, height: 100, data: new Uint8Array(30000) };
 * const face = { box: [30, 30, 70, 70] as const, landmarks: [40, 60, 50, 42, 58, 40, 40, 50, 60, 60] };
 * const r = reframe(img, face, makePrng(1), { min: 3, max: 3, jitter: 0 });
 * console.log(r?.image.width); // 60: 3 x the eye-to-mouth distance of 20
 * ```
 */
export const reframe = (
  img: RgbImage,
  face: AnnotatedFace,
  r: Prng,
  range: ReframeRange,
): { image: RgbImage; face: AnnotatedFace } | undefined => {
  const lm = face.landmarks;
  if (!lm || lm.length !== 10) return undefined;
  const eye = [(lm[0] + lm[1]) / 2, (lm[5] + lm[6]) / 2];
  const mouth = [(lm[3] + lm[4]) / 2, (lm[8] + lm[9]) / 2];
  const em = Math.hypot(mouth[0] - eye[0], mouth[1] - eye[1]);
  const side = Math.max(12, Math.round(em * r.uniform(range.min, range.max)));
  const j = range.jitter ?? 0.04;
  const cx = lm.slice(0, 5).reduce((a, b) => a + b, 0) / 5 + r.uniform(-j, j) * side;
  const cy = lm.slice(5).reduce((a, b) => a + b, 0) / 5 + r.uniform(-j, j) * side;
  const x0 = Math.round(cx - side / 2);
  const y0 = Math.round(cy - side / 2);
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    const sy = y0 + y;
    if (sy < 0 || sy >= img.height) continue;
    for (let x = 0; x < side; x++) {
      const sx = x0 + x;
      if (sx < 0 || sx >= img.width) continue;
      const s = (sy * img.width + sx) * 3;
      data.set(img.data.subarray(s, s + 3), (y * side + x) * 3);
    }
  }
  const [bx1, by1, bx2, by2] = face.box;
  return {
    image: { width: side, height: side, data },
    face: {
      box: [bx1 - x0, by1 - y0, bx2 - x0, by2 - y0],
      landmarks: lm.map((v, i) => v - (i < 5 ? x0 : y0)),
    },
  };
};
