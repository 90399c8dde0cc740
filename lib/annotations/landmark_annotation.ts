/**
 * A face annotated with five landmarks (and maybe a box): what the MTFL and CNN_FacePoint
 * lists hold, for landmark evaluation and training.
 *
 * @module
 */
import type { Point } from "../face.ts";

/** Five landmarks in the library's order: left eye, right eye, nose, left mouth, right mouth. */
export type FivePoints = readonly [Point, Point, Point, Point, Point];

/** One annotated face image. */
export interface LandmarkAnnotation {
  /** Image path relative to the list's image folder, with `/` separators. */
  readonly path: string;
  /** The five landmarks in pixels. */
  readonly landmarks: FivePoints;
  /** The face box [x1, y1, x2, y2] in pixels, when the list gives one. */
  readonly box?: readonly [number, number, number, number];
}
