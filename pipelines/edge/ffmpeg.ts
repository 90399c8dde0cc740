/**
 * Running `ffmpeg` / `ffprobe` as subprocesses: the one place the project starts them, with the
 * failures people meet (program missing, no permission to run it) turned into one-line errors.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { type MtcnnError, mtcnnError } from "../../lib/errors.ts";

/** Where to find the programs; default `"ffmpeg"` on the PATH (ffprobe beside it). */
export interface FfmpegOptions {
  /** The ffmpeg program (default `"ffmpeg"`); `ffprobe` is looked for beside it. */
  readonly ffmpeg?: string;
}

/** The ffprobe program that belongs to `ffmpeg` (same folder, or the PATH). */
export const ffprobeOf = (ffmpeg = "ffmpeg"): string =>
  basename(ffmpeg) === ffmpeg
    ? ffmpeg.replace(/ffmpeg/, "ffprobe")
    : join(dirname(ffmpeg), basename(ffmpeg).replace(/ffmpeg/, "ffprobe"));

/** The error for a program that could not be started. */
export const spawnError = (program: string, e: unknown): MtcnnError =>
  e instanceof Deno.errors.NotFound
    ? mtcnnError(
      "IoError",
      `${program} not found: video needs ffmpeg (Debian/Ubuntu: apt-get install ffmpeg)`,
      e,
    )
    : e instanceof Deno.errors.PermissionDenied || (e as Error)?.name === "NotCapable"
    ? mtcnnError("IoError", `running ${program} needs the --allow-run permission`, e)
    : mtcnnError("IoError", `cannot run ${program}: ${(e as Error)?.message ?? e}`, e);

/** Keeps the last `max` characters of a stream of text (a subprocess's stderr). */
export const collectTail = (
  stream: ReadableStream<Uint8Array>,
  max = 4000,
): Promise<string> =>
  (async () => {
    let text = "";
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      text = (text + dec.decode(chunk, { stream: true })).slice(-max);
    }
    return text;
  })();

/** The last non-empty line of a program's stderr, for an error message. */
export const lastLine = (text: string): string =>
  text.trim().split("\n").filter((l) => l.trim() !== "").pop()?.trim() ?? "";
