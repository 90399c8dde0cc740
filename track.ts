/**
 * Face tracking across video frames, runtime-free (Deno, browsers, Node): give each frame's
 * faces to a tracker and get them back with track ids that stay the same from frame to frame.
 *
 * ```ts
 * import { createTracker } from "@mtcnn/mtcnn/track";
 * const tracker = createTracker();
 * if (tracker._tag === "Right") {
 *   const a = tracker.right.update([{ box: [100, 80, 60, 70], confidence: 0.99 }]);
 *   const b = tracker.right.update([{ box: [104, 81, 60, 70], confidence: 0.98 }]);
 *   console.log(a[0].track, b[0].track); // 1 1
 * }
 * ```
 *
 * @module
 */
export {
  type CentreBox,
  checkTrackerOptions,
  INITIAL_TRACKER_STATE,
  predictTracks,
  type Track,
  type TrackedFace,
  type TrackerOptions,
  type TrackerState,
  type TrackUpdate,
  updateTracks,
} from "./lib/track/tracker.ts";
export { createTracker, type Tracker } from "./lib/track/create_tracker.ts";
export { assignMinCost } from "./lib/track/assignment.ts";
export { drawTrackedFaces, trackColour } from "./lib/track/annotate.ts";
export { faceQuality } from "./lib/track/face_quality.ts";
