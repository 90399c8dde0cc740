/**
 * Video frames in: `ffmpeg` decodes the file in a subprocess and pipes raw RGB frames
 * (`-f rawvideo -pix_fmt rgb24`), which are cut into {@linkcode RgbImage}s here.
 *
 * @module
 */
import { type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { RgbImage } from "../../lib/image.ts";
import type { Result, TaskResult } from "../../lib/result.ts";
import { collectTail, type FfmpegOptions, lastLine, spawnError } from "./ffmpeg.ts";
import { probeVideo, type VideoInfo } from "./video_probe.ts";

/** Which frames to decode; each field says its default. */
export interface VideoReadOptions extends FfmpegOptions {
  /** Every Nth frame (default 1: all); not with `fps`. */
  readonly every?: number;
  /** Frames per second to sample (default: the video's own rate); not with `every`. */
  readonly fps?: number;
  /** Seconds from the beginning to start at (default 0). */
  readonly start?: number;
  /** Seconds to decode (default: to the end). */
  readonly duration?: number;
}

/** One decoded frame. */
export interface VideoFrame {
  /** Frame number in the video (0-based, counted at its average frame rate). */
  readonly frame: number;
  /** Seconds from the beginning of the video (frame number / average frame rate). */
  readonly time: number;
  /** The pixels. */
  readonly image: RgbImage;
}

/** An open video: its frames in order, then how decoding ended. */
export interface VideoReader {
  /** The video's size and rate. */
  readonly info: VideoInfo;
  /** How many frames the options select, estimated from the length (undefined if unknown). */
  readonly expectedFrames?: number;
  /** The next frame, or undefined at the end (then call `finish`). */
  next(): Promise<VideoFrame | undefined>;
  /** Waits for ffmpeg to end; a decoding failure is an error naming the file. */
  finish(): Promise<Result<MtcnnError, void>>;
  /** Stops decoding early. */
  cancel(): Promise<void>;
}

const ffmpegArgs = (path: string, o: VideoReadOptions, info: VideoInfo): string[] => {
  // Frame selection, then the probed size: frames always have the size the reader cuts
  // (a stream whose size changes midway, or rotation metadata, cannot misalign the pipe).
  const filters = [
    ...(o.every && o.every > 1 ? [`select=not(mod(n\\,${o.every}))`] : []),
    ...(o.fps ? [`fps=${o.fps}`] : []),
    `scale=${info.width}:${info.height}`,
  ];
  return [
    "-v",
    "error",
    "-nostdin",
    ...(o.start ? ["-ss", String(o.start)] : []),
    "-i",
    path,
    ...(o.duration ? ["-t", String(o.duration)] : []),
    "-map",
    "0:v:0",
    "-vf",
    filters.join(","),
    "-fps_mode",
    "passthrough",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "pipe:1",
  ];
};

/**
 * Opens `path` for decoding with ffmpeg: probes it first (`DecodeError` "not a video" for a file
 * without a video stream, `IoError` when ffmpeg is missing), then starts ffmpeg.
 * Call `finish()` or `cancel()` when done so that the subprocess ends.
 */
export const openVideo = (
  path: string,
  options: VideoReadOptions = {},
): TaskResult<MtcnnError, VideoReader> =>
async () => {
  const probed = await probeVideo(path, options)();
  if (probed._tag === "Left") return probed;
  const info = probed.right;
  const program = options.ffmpeg ?? "ffmpeg";
  let proc: Deno.ChildProcess;
  try {
    proc = new Deno.Command(program, {
      args: ffmpegArgs(path, options, info),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    return { _tag: "Left", left: spawnError(program, e) };
  }
  const stderr = collectTail(proc.stderr);
  const reader = proc.stdout.getReader();
  const size = info.width * info.height * 3;
  const start = options.start ?? 0;
  const step = options.every && options.every > 1 ? options.every : 1;
  const length = options.duration ?? (info.duration ? info.duration - start : undefined);
  const expectedFrames = length === undefined || length <= 0
    ? undefined
    : options.fps
    ? Math.ceil(length * options.fps)
    : Math.ceil(length * info.fps / step);
  let pending: Uint8Array | undefined; // bytes read past the last frame
  let count = 0;
  let ended = false;
  return {
    _tag: "Right",
    right: {
      info,
      expectedFrames,
      async next() {
        if (ended) return undefined;
        const data = new Uint8Array(size);
        let filled = 0;
        if (pending) {
          const n = Math.min(size, pending.length);
          data.set(pending.subarray(0, n));
          filled = n;
          pending = n < pending.length ? pending.subarray(n) : undefined;
        }
        while (filled < size) {
          const r = await reader.read();
          if (r.done) {
            ended = true;
            return undefined; // a partial last frame means decoding stopped: finish() says why
          }
          const n = Math.min(size - filled, r.value.length);
          data.set(r.value.subarray(0, n), filled);
          filled += n;
          if (n < r.value.length) pending = r.value.subarray(n);
        }
        const k = count++;
        const time = options.fps ? start + k / options.fps : start + (k * step) / info.fps;
        const frame = Math.round(time * info.fps);
        return { frame, time, image: { width: info.width, height: info.height, data } };
      },
      async finish() {
        // Read what is left so that ffmpeg can exit, then look at its status.
        while (!(await reader.read()).done);
        const status = await proc.status;
        const err = lastLine(await stderr);
        return status.success ? { _tag: "Right", right: undefined } : {
          _tag: "Left",
          left: mtcnnError(
            "DecodeError",
            `${path}: ffmpeg failed to decode the video${err ? `: ${err}` : ""}`,
          ),
        };
      },
      async cancel() {
        ended = true;
        try {
          proc.kill("SIGTERM");
        } catch {
          // already ended
        }
        await reader.cancel().catch(() => {});
        await proc.status;
        await stderr.catch(() => "");
      },
    },
  };
};
