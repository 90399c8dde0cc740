/**
 * What a detection is: a box, a confidence and (from ONet) five landmarks, in pixels of the
 * input image.
 *
 * @module
 */

/** A point in pixels: [x, y]. */
export type Point = readonly [number, number];

/** The five landmarks, "left" meaning the left side of the image. */
export interface Keypoints {
  /** Centre of the eye on the image's left. */
  readonly left_eye: Point;
  /** Centre of the eye on the image's right. */
  readonly right_eye: Point;
  /** Tip of the nose. */
  readonly nose: Point;
  /** Mouth corner on the image's left. */
  readonly mouth_left: Point;
  /** Mouth corner on the image's right. */
  readonly mouth_right: Point;
}

/**
 * The landmark names in the order the networks output them.
 *
 * @example
 * ```ts
 * import { KEYPOINT_NAMES } from "@mtcnn/mtcnn";
 * console.log(KEYPOINT_NAMES[0]); // "left_eye"
 * ```
 */
export const KEYPOINT_NAMES: readonly (keyof Keypoints)[] = [
  "left_eye",
  "right_eye",
  "nose",
  "mouth_left",
  "mouth_right",
];

/** Box formats: `xywh` = [x, y, width, height], `xyxy` = [x1, y1, x2, y2]. */
export type BoxFormat = "xywh" | "xyxy";

/** One detected face, like the Python `mtcnn` package's result but not rounded. */
export interface Face {
  /** [x, y, w, h] (default) or [x1, y1, x2, y2], per the `boxFormat` option. */
  readonly box: readonly [number, number, number, number];
  /** Face probability of the last stage that scored it. */
  readonly confidence: number;
  /** The five landmarks; absent when the cascade has no ONet. */
  readonly keypoints?: Keypoints;
  /**
   * With the `rotations` option: the clockwise turn (degrees) of the image on which the face was
   * found upright (90: the face's top is towards the image's left). Landmark names follow the
   * face: `left_eye` is the eye on the image's left when the face is upright.
   */
  readonly rotation?: number;
}
