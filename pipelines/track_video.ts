/**
 * The video loop: frames from a {@linkcode VideoReader}, faces from a
 * {@linkcode FrameDetector}, track ids from a {@linkcode Tracker}; the next frame is read while
 * this one is detected. With `trackFast: K`, the full cascade runs on every Kth frame only and
 * RNet + ONet look for the tracked faces in between.
 *
 * @module
 */
import type { MtcnnError } from "../lib/errors.ts";
import type { Result } from "../lib/result.ts";
import type { Tracker } from "../lib/track/create_tracker.ts";
import { predictTracks, type TrackedFace } from "../lib/track/tracker.ts";
import type { VideoFrame, VideoReader } from "./edge/video_reader.ts";
import type { FrameDetector } from "./frame_detector.ts";

/** Options of {@linkcode trackVideo}. */
export interface TrackVideoOptions {
  /** Full detection every K processed frames, tracked faces only in between (default 1). */
  readonly trackFast?: number;
  /**
   * Tracks unseen for at most this many frames are looked for between full detections
   * (default 2).
   */
  readonly lookFor?: number;
}

/** One processed frame. */
export interface TrackedFrame {
  /** The frame read. */
  readonly frame: VideoFrame;
  /** Its faces with track ids. */
  readonly faces: readonly TrackedFace[];
  /** True when the full cascade ran on it. */
  readonly full: boolean;
}

/**
 * The processed frames, in order; a detection failure ends the sequence with it (the reader
 * is left for the caller to `finish` or `cancel`).
 */
export async function* trackVideo(
  video: VideoReader,
  detector: FrameDetector,
  tracker: Tracker,
  options: TrackVideoOptions = {},
): AsyncGenerator<Result<MtcnnError, TrackedFrame>> {
  const k = Math.max(1, Math.floor(options.trackFast ?? 1));
  const lookFor = options.lookFor ?? 2;
  const size = { width: video.info.width, height: video.info.height };
  let next = video.next();
  for (let i = 0, frame = await next; frame; i++, frame = await next) {
    next = video.next();
    const full = i % k === 0;
    const seeds = full
      ? []
      : predictTracks(tracker.state, {}, size).filter((t) => t.missed <= lookFor)
        .map((t) => t.box);
    const r = full
      ? await detector.detect(frame.image)
      : seeds.length > 0
      ? await detector.refine(frame.image, seeds)
      : undefined;
    if (r?._tag === "Left") {
      // Let ffmpeg's read in flight settle before the caller stops the reader.
      await next.catch(() => undefined);
      yield r;
      return;
    }
    const faces = tracker.update(r ? r.right.faces : [], size);
    yield { _tag: "Right", right: { frame, faces, full } };
  }
}
