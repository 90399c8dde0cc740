/**
 * The end of a cascade: the last state's candidates as faces in the image's coordinates.
 *
 * @module
 */
import { rescaleCandidates, selectCandidates } from "../lib/candidates.ts";
import type { Face } from "../lib/face.ts";
import type { RgbImage } from "../lib/image.ts";
import { nms } from "../lib/nms.ts";
import { candidatesToFaces } from "./faces.ts";
import type { ResolvedOptions } from "./options.ts";
import type { CandidateState } from "./state.ts";

/** The result for one image. */
export interface Detection {
  /** Image width in pixels (as displayed, EXIF orientation applied). */
  readonly width: number;
  /** Image height in pixels. */
  readonly height: number;
  /** The faces found, most confident first. */
  readonly faces: readonly Face[];
  /** Milliseconds per stage (decode, prepare, pnet, crop24, rnet, crop48, onet, ...). */
  readonly timings: Readonly<Record<string, number>>;
  /** The image the faces were found in (downscaled if it had to be), with `keepImage`. */
  readonly image?: RgbImage;
}

/**
 * The faces of a cascade's last state. Candidates that no ONet has suppressed (a face-only or
 * custom cascade) first get ONet's overlap suppression, so that each face is given once.
 */
export const toDetection = (
  state: CandidateState,
  o: Pick<ResolvedOptions, "boxFormat" | "clip" | "nmsOutput">,
): Detection => {
  let c = state.candidates;
  if (state.phase !== "faces") {
    c = selectCandidates(c, nms(c.boxes, c.scores, c.count, o.nmsOutput, "min"));
  }
  const { width, height, scaleX, scaleY } = state.source;
  return {
    width,
    height,
    // Faces found on a downscaled copy are mapped back to the full-size image.
    faces: candidatesToFaces(rescaleCandidates(c, scaleX, scaleY), width, height, o),
    timings: state.timings,
  };
};
