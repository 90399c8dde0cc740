/**
 * The image pyramid of PNet: scales 12 / minFaceSize * factor^k while the short side stays at
 * least 12 px (the paper's and facenet-pytorch's rule), and each level's size.
 *
 * @module
 */

/** One pyramid level: the scale and the resized image's size. */
export interface PyramidLevel {
  /** Scale from the image to this level. */
  readonly scale: number;
  /** Level width: floor(W * scale + 1), as the reference computes it. */
  readonly width: number;
  /** Level height: floor(H * scale + 1). */
  readonly height: number;
}

/** 12: the PNet window, the smallest face it sees at scale 1. */
export const PNET_WINDOW = 12;

/**
 * The pyramid levels for an image: scales m * f^k with m = 12 / minFaceSize, while
 * min(width, height) * scale >= 12. Level sizes are floor(side * scale + 1) as in
 * facenet-pytorch.
 */
export const pyramidLevels = (
  width: number,
  height: number,
  minFaceSize: number,
  factor: number,
): readonly PyramidLevel[] => {
  const m = PNET_WINDOW / minFaceSize;
  const minSide = Math.min(width, height) * m;
  const levels: PyramidLevel[] = [];
  // Repeated multiplication, as the reference does, so the scales match it to the last bit.
  for (let scale = m, side = minSide; side >= PNET_WINDOW; scale *= factor, side *= factor) {
    levels.push({
      scale,
      width: Math.floor(width * scale + 1),
      height: Math.floor(height * scale + 1),
    });
  }
  return levels;
};
