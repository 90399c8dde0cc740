/**
 * What a video file is (size, frame rate, length), asked of `ffprobe`.
 *
 * @module
 */
import * as TE from "fp-ts/TaskEither.js";
import { type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { TaskResult } from "../../lib/result.ts";
import { type FfmpegOptions, ffprobeOf, lastLine, spawnError } from "./ffmpeg.ts";

/** A video's first video stream as decoded (rotation applied). */
export interface VideoInfo {
  /** Width of the decoded frames in pixels. */
  readonly width: number;
  /** Height of the decoded frames in pixels. */
  readonly height: number;
  /** Average frames per second. */
  readonly fps: number;
  /** Length in seconds, when the file says. */
  readonly duration?: number;
}

const rate = (s: unknown): number => {
  const [a, b] = String(s ?? "").split("/").map(Number);
  const r = b ? a / b : a;
  return Number.isFinite(r) && r > 0 ? r : 0;
};

/**
 * Probes `path` with ffprobe. A file without a video stream (or that ffprobe cannot read) gives
 * a `DecodeError` naming the file; a missing ffprobe gives an `IoError` saying to install ffmpeg.
 */
export const probeVideo = (
  path: string,
  options: FfmpegOptions = {},
): TaskResult<MtcnnError, VideoInfo> =>
async () => {
  const program = ffprobeOf(options.ffmpeg);
  try {
    await Deno.stat(path);
  } catch (e) {
    return TE.left(mtcnnError("IoError", `${path}: cannot read: ${(e as Error).message}`, e))();
  }
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(program, {
      args: [
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=width,height,avg_frame_rate,r_frame_rate,duration:stream_side_data=rotation" +
        ":format=duration",
        "-of",
        "json",
        path,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    return TE.left(spawnError(program, e))();
  }
  const err = lastLine(new TextDecoder().decode(out.stderr));
  let json: {
    streams?: {
      width?: number;
      height?: number;
      avg_frame_rate?: string;
      r_frame_rate?: string;
      duration?: string;
      side_data_list?: { rotation?: number }[];
    }[];
    format?: { duration?: string };
  } = {};
  try {
    json = JSON.parse(new TextDecoder().decode(out.stdout) || "{}");
  } catch {
    // reported below as no video stream
  }
  const s = json.streams?.[0];
  if (!out.success || !s || !(s.width! > 0) || !(s.height! > 0)) {
    return TE.left(
      mtcnnError("DecodeError", `${path}: not a video${err ? ` (ffprobe: ${err})` : ""}`),
    )();
  }
  const rotation = Math.abs(s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0);
  const turned = rotation % 180 === 90;
  const duration = Number(s.duration ?? json.format?.duration);
  return TE.right({
    width: turned ? s.height! : s.width!,
    height: turned ? s.width! : s.height!,
    fps: rate(s.avg_frame_rate) || rate(s.r_frame_rate) || 25,
    ...(Number.isFinite(duration) && duration > 0 ? { duration } : {}),
  })();
};

/** Runs a probe without a file, to tell whether ffmpeg can be used here. */
export const ffmpegAvailable = async (options: FfmpegOptions = {}): Promise<boolean> => {
  try {
    const out = await new Deno.Command(options.ffmpeg ?? "ffmpeg", {
      args: ["-version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
};
