/**
 * Which `detect` runs are about videos: any input with a video extension, or `--video`.
 *
 * @module
 */
import { extname } from "node:path";

/** File extensions `detect` reads as videos without `--video`. */
export const VIDEO_EXTENSIONS: readonly string[] = [".mp4", ".mov", ".mkv", ".webm", ".avi"];

/** True for a file name with a video extension. */
export const isVideoPath = (path: string): boolean =>
  VIDEO_EXTENSIONS.includes(extname(path).toLowerCase());

/** True when `detect`'s arguments ask for video: `--video`, or a video file among them. */
export const wantsVideo = (args: readonly string[]): boolean =>
  args.includes("--video") || args.some((a) => !a.startsWith("-") && isVideoPath(a));
