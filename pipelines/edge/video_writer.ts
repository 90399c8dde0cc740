/**
 * Video frames out: RGB frames piped into an `ffmpeg` subprocess that encodes H.264 in MP4.
 * The file appears atomically: ffmpeg writes a temporary file in the same folder, which is
 * flushed and renamed over the target only when encoding succeeded.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { RgbImage } from "../../lib/image.ts";
import type { Result } from "../../lib/result.ts";
import { collectTail, type FfmpegOptions, lastLine, spawnError } from "./ffmpeg.ts";

/** What the written video is. */
export interface VideoWriterOptions extends FfmpegOptions {
  /** Frame width in pixels. */
  readonly width: number;
  /** Frame height in pixels. */
  readonly height: number;
  /** Frames per second of the written video. */
  readonly fps: number;
}

/** A video being written. */
export interface VideoWriter {
  /** Appends a frame of the writer's size (waits while ffmpeg catches up). */
  write(frame: RgbImage): Promise<Result<MtcnnError, void>>;
  /** Ends the video: the file is renamed into place when ffmpeg succeeded. */
  finish(): Promise<Result<MtcnnError, void>>;
  /** Gives up: ffmpeg is stopped and the temporary file removed; no file appears. */
  abort(): Promise<void>;
}

let counter = 0;

/**
 * Starts writing an MP4 video (H.264, yuv420p; odd sizes padded by one pixel) to `path`.
 * Nothing appears at `path` until `finish()` succeeds.
 */
export const openVideoWriter = (
  path: string,
  options: VideoWriterOptions,
): Result<MtcnnError, VideoWriter> => {
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${Deno.pid}-${Date.now()}-${counter++}.tmp`,
  );
  const program = options.ffmpeg ?? "ffmpeg";
  const { width, height } = options;
  let proc: Deno.ChildProcess;
  try {
    proc = new Deno.Command(program, {
      args: [
        "-v",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        `${width}x${height}`,
        "-r",
        String(options.fps),
        "-i",
        "pipe:0",
        "-vf",
        "pad=ceil(iw/2)*2:ceil(ih/2)*2",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "-y",
        tmp,
      ],
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    return { _tag: "Left", left: spawnError(program, e) };
  }
  const stderr = collectTail(proc.stderr);
  const writer = proc.stdin.getWriter();
  const fail = async (what: string): Promise<Result<MtcnnError, void>> => {
    await writer.abort().catch(() => {});
    await proc.status;
    await Deno.remove(tmp).catch(() => {});
    const err = lastLine(await stderr);
    return {
      _tag: "Left",
      left: mtcnnError("IoError", `cannot write ${path}: ${what}${err ? `: ${err}` : ""}`),
    };
  };
  let broken = false;
  return {
    _tag: "Right",
    right: {
      async write(frame) {
        if (broken) return fail("ffmpeg stopped");
        if (
          frame.width !== width || frame.height !== height || frame.data.length < width * height * 3
        ) {
          return {
            _tag: "Left",
            left: mtcnnError(
              "InputError",
              `${path}: frame is ${frame.width}x${frame.height}, the video ${width}x${height}`,
            ),
          };
        }
        try {
          await writer.write(frame.data.subarray(0, width * height * 3));
          return { _tag: "Right", right: undefined };
        } catch {
          broken = true;
          return fail("ffmpeg stopped");
        }
      },
      async finish() {
        if (broken) return fail("ffmpeg stopped");
        await writer.close().catch(() => {});
        const status = await proc.status;
        if (!status.success) return fail(`ffmpeg exited with code ${status.code}`);
        try {
          const f = await Deno.open(tmp, { read: true, write: true });
          try {
            await f.sync();
          } finally {
            f.close();
          }
          await Deno.rename(tmp, path);
        } catch (e) {
          await Deno.remove(tmp).catch(() => {});
          return {
            _tag: "Left",
            left: mtcnnError("IoError", `cannot write ${path}: ${(e as Error).message}`, e),
          };
        }
        return { _tag: "Right", right: undefined };
      },
      async abort() {
        broken = true;
        await writer.abort().catch(() => {});
        try {
          proc.kill("SIGTERM");
        } catch {
          // already ended
        }
        await proc.status;
        await stderr.catch(() => "");
        await Deno.remove(tmp).catch(() => {});
      },
    },
  };
};
