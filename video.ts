/**
 * Faces in video with Deno: frames decoded by `ffmpeg` (a subprocess; needs `--allow-run` and
 * ffmpeg installed), detected, and tracked with stable ids; annotated video written back with
 * ffmpeg.
 *
 * ```ts
 * import { createTracker } from "@mtcnn/mtcnn/track";
 * import { createFrameDetector, openVideo, trackVideo } from "@mtcnn/mtcnn/video";
 *
 * const video = await openVideo("talk.mp4", { every: 2 })();
 * const tracker = createTracker({ maxMissed: 12 }); // about 1 s of frames at 12.5 frames/s
 * if (video._tag === "Right" && tracker._tag === "Right") {
 *   const detector = await createFrameDetector({ workers: 2 });
 *   if (detector._tag === "Right") {
 *     for await (const r of trackVideo(video.right, detector.right, tracker.right)) {
 *       if (r._tag === "Right") console.log(r.right.frame.time, r.right.faces.map((f) => f.track));
 *     }
 *     await video.right.finish();
 *     detector.right.dispose();
 *   }
 * }
 * ```
 *
 * @module
 */
export { ffmpegAvailable, probeVideo, type VideoInfo } from "./pipelines/edge/video_probe.ts";
export {
  openVideo,
  type VideoFrame,
  type VideoReader,
  type VideoReadOptions,
} from "./pipelines/edge/video_reader.ts";
export {
  openVideoWriter,
  type VideoWriter,
  type VideoWriterOptions,
} from "./pipelines/edge/video_writer.ts";
export type { FfmpegOptions } from "./pipelines/edge/ffmpeg.ts";
export {
  createFrameDetector,
  type FrameDetector,
  type FrameDetectorOptions,
} from "./pipelines/frame_detector.ts";
export { type TrackedFrame, trackVideo, type TrackVideoOptions } from "./pipelines/track_video.ts";
