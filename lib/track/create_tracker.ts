/**
 * A tracker object holding its own state, for callers that feed frames one by one.
 *
 * @module
 */
import type { MtcnnError } from "../errors.ts";
import type { Face } from "../face.ts";
import type { Result } from "../result.ts";
import {
  checkTrackerOptions,
  INITIAL_TRACKER_STATE,
  type TrackedFace,
  type TrackerOptions,
  type TrackerState,
  updateTracks,
} from "./tracker.ts";

/** A face tracker; see {@linkcode updateTracks} for the algorithm. */
export interface Tracker {
  /** Gives the faces of the next frame their track ids (in the order given). */
  update(
    faces: readonly Face[],
    frameSize?: { readonly width: number; readonly height: number },
  ): readonly TrackedFace[];
  /** The current state (live tracks, next id, frames seen). */
  readonly state: TrackerState;
}

/**
 * Creates a {@linkcode Tracker}; an `OptionError` for an option out of its range
 * ({@linkcode checkTrackerOptions}).
 *
 * @example
 * ```ts
 * import { createTracker } from "./create_tracker.ts";
 * const tracker = createTracker({ maxMissed: 10 });
 * if (tracker._tag === "Right") {
 *   const faces = tracker.right.update([{ box: [10, 10, 40, 40], confidence: 0.99 }]);
 *   console.log(faces[0].track); // 1
 * }
 * ```
 */
export const createTracker = (options: TrackerOptions = {}): Result<MtcnnError, Tracker> => {
  const checked = checkTrackerOptions(options);
  if (checked._tag === "Left") return checked;
  const step = updateTracks(options);
  let state = INITIAL_TRACKER_STATE;
  return {
    _tag: "Right",
    right: {
      update: (faces, frameSize) => {
        const r = step(state, faces, frameSize);
        state = r.state;
        return r.faces;
      },
      get state() {
        return state;
      },
    },
  };
};
