/**
 * `detect VIDEO`: faces of video frames with stable track ids, as NDJSON, one line per
 * processed frame; optionally an annotated video (`--out`) and one aligned crop per track
 * (`--crops`).
 *
 * @module
 */
import { basename, extname, join } from "node:path";
import { type DetectOptions, type RgbImage, useBackend } from "../mod.ts";
import { alignFace } from "../lib/align/align_face.ts";
import { cropFace } from "../lib/align/crop.ts";

/** Drawing and PNG encoding (imagescript), loaded when an output needs them. */
const drawing = () => import("../pipelines/edge/draw.ts");
import { writeFileAtomic } from "../pipelines/edge/atomic.ts";
import { createTracker, drawTrackedFaces, faceQuality, type TrackedFace } from "../track.ts";
import {
  createFrameDetector,
  type FrameDetector,
  openVideo,
  openVideoWriter,
  trackVideo,
  type VideoReadOptions,
  type VideoWriter,
} from "../video.ts";
import { numberOption, parseArgs } from "./args.ts";
import {
  backendFrom,
  DETECT_FLAG_OPTIONS,
  DETECT_OPTIONS_HELP,
  DETECT_VALUE_OPTIONS,
  detectOptionsFrom,
  printError,
  weightsFromFlags,
} from "./common.ts";
import { progress } from "./progress.ts";
import { isVideoPath, VIDEO_EXTENSIONS } from "./video_inputs.ts";

/** The help text. */
export const DETECT_VIDEO_HELP = `Usage: deno task detect [options] <video>...
       deno task detect --video [options] <file>...

Detects faces in video frames (${VIDEO_EXTENSIONS.join(" ")}, or any file ffmpeg reads with
--video), decoded by ffmpeg, and follows each face from frame to frame with a track id that stays
the same while the face is seen (and for --track-memory seconds after it was last seen); ids are
never reused. One JSON line per processed frame on stdout:
  {"image": path, "frame": n, "time": seconds, "width": w, "height": h,
   "faces": [{"box": [x, y, w, h], "confidence": c, "keypoints": {...}, "track": id}]}
A file that is not a video gives an error line and the run goes on with the next; the exit code
is 1 if any input failed, 2 for a usage error. Needs ffmpeg (Debian: apt-get install ffmpeg).

Options:
  --every N             process every Nth frame (default 1)
  --fps F               process F frames per second instead (not with --every)
  --start S             start S seconds into the video (default 0)
  --duration S          process S seconds (default: to the end)
  --track-memory S      seconds a face that is not seen keeps its track (default 1)
  --track-fast K        full detection on every Kth processed frame only; in between, RNet and
                        ONet look for the tracked faces around their predicted boxes (faster;
                        new faces are found at the next full detection: see docs/speed.md)
  --out DIR             also write DIR/<video>.mp4 with boxes, landmarks and track ids drawn
  --crops DIR           also write one aligned crop per track, of its best frame (the most
                        confident, largest, most frontal view): DIR/<video>_track<id>.png
  --crop-size N         side of the crops (default 112)
  --overwrite           replace files already in --out / --crops (default: refuse)
  --workers N           net worker threads (default: the number of cores; 0 = this thread)
  --ffmpeg PATH         the ffmpeg program (default: ffmpeg on the PATH; ffprobe beside it)
${DETECT_OPTIONS_HELP}
  --face-only           PNet and RNet only: boxes and confidence, no landmarks
  --pnet-weights FILE   PNet weights (default: embedded); --rnet-weights, --onet-weights too
  --verbose             stack traces with errors
  -h, --help            this help
`;

const encoder = new TextEncoder();

/** A number option that must satisfy `ok`, or an error message. */
const checked = (
  o: Readonly<Record<string, string | boolean>>,
  name: string,
  ok: (n: number) => boolean,
  rule: string,
): number | undefined | string => {
  const n = numberOption(o, name);
  if (typeof n === "string") return n;
  return n === undefined || ok(n) ? n : `--${name} must be ${rule}, got ${o[name]}`;
};

interface VideoRun {
  readonly detector: FrameDetector;
  readonly trackFast?: number;
  readonly options: DetectOptions;
  readonly read: VideoReadOptions;
  readonly memory: number;
  readonly out?: string;
  readonly crops?: string;
  readonly cropSize: number;
  readonly overwrite: boolean;
  readonly verbose: boolean;
}

/** True when `path` exists (then it is not replaced without --overwrite). */
const exists = async (path: string): Promise<boolean> => {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
};

/** Keeps, per track, the aligned crop of its best view so far (by {@linkcode faceQuality}). */
const keepBestCrops = (
  best: Map<number, { quality: number; crop: RgbImage }>,
  image: RgbImage,
  faces: readonly TrackedFace[],
  run: VideoRun,
): void => {
  for (const f of faces) {
    const q = faceQuality(f, run.options.boxFormat);
    if ((best.get(f.track)?.quality ?? -1) >= q) continue;
    const [x, y, a, b] = f.box;
    const xywh: [number, number, number, number] = run.options.boxFormat === "xyxy"
      ? [x, y, a - x, b - y]
      : [x, y, a, b];
    const c = f.keypoints
      ? alignFace(image, f.keypoints, { size: run.cropSize })
      : cropFace(image, xywh, { size: run.cropSize, square: true, margin: 0.1 });
    if (c._tag === "Right") best.set(f.track, { quality: q, crop: c.right.image });
  }
};

/** Processes one video; returns false when it failed (the error is printed). */
const processVideo = async (path: string, run: VideoRun): Promise<boolean> => {
  const opened = await openVideo(path, run.read)();
  if (opened._tag === "Left") return printError(opened.left, run.verbose), false;
  const video = opened.right;
  const { width, height } = video.info;
  const rate = run.read.fps ?? video.info.fps / (run.read.every ?? 1);
  const tracker = createTracker({
    maxMissed: Math.max(1, Math.round(run.memory * rate)),
    boxFormat: run.options.boxFormat,
  });
  if (tracker._tag === "Left") {
    await video.cancel();
    return printError(tracker.left, run.verbose), false;
  }
  const stem = basename(path, extname(path));
  let writer: VideoWriter | undefined;
  const outFile = run.out ? join(run.out, stem + ".mp4") : undefined;
  if (outFile && !run.overwrite && await exists(outFile)) {
    await video.cancel();
    return printError(`${outFile} exists: not replaced without --overwrite`), false;
  }
  if (run.out) {
    const w = openVideoWriter(join(run.out, stem + ".mp4"), {
      width,
      height,
      fps: rate,
      ffmpeg: run.read.ffmpeg,
    });
    if (w._tag === "Left") {
      await video.cancel();
      return printError(w.left, run.verbose), false;
    }
    writer = w.right;
  }
  const best = new Map<number, { quality: number; crop: RgbImage }>();
  const bar = progress(stem, video.expectedFrames ?? 0);
  let ok = true;
  try {
    for await (
      const r of trackVideo(video, run.detector, tracker.right, {
        trackFast: run.trackFast,
      })
    ) {
      if (r._tag === "Left") {
        printError(`${path}: ${r.left.message}`, run.verbose);
        ok = false;
        break;
      }
      const { frame, faces } = r.right;
      const line = {
        image: path,
        frame: frame.frame,
        time: Math.round(frame.time * 1000) / 1000,
        width,
        height,
        faces,
      };
      await Deno.stdout.write(encoder.encode(JSON.stringify(line) + "\n"));
      if (writer) {
        const w = await writer.write(drawTrackedFaces(frame.image, faces, run.options.boxFormat));
        if (w._tag === "Left") {
          printError(w.left, run.verbose);
          await writer.abort();
          writer = undefined;
          ok = false;
        }
      }
      if (run.crops) keepBestCrops(best, frame.image, faces, run);
      bar.tick();
    }
  } catch (e) {
    // Unexpected (ffmpeg killed, stdout closed): this video fails, the run goes on.
    printError(`${path}: ${(e as Error)?.message ?? e}`, run.verbose);
    ok = false;
  } finally {
    bar.done();
  }
  if (!ok) {
    await video.cancel();
    await writer?.abort();
    return false;
  }
  const end = await video.finish();
  if (end._tag === "Left") {
    await writer?.abort();
    return printError(end.left, run.verbose), false;
  }
  if (writer) {
    const w = await writer.finish();
    if (w._tag === "Left") printError(w.left, run.verbose), ok = false;
  }
  if (run.crops) {
    for (const [id, { crop }] of [...best].sort((a, b) => a[0] - b[0])) {
      const file = join(run.crops, `${stem}_track${id}.png`);
      if (!run.overwrite && await exists(file)) {
        printError(`${file} exists: not replaced without --overwrite`);
        ok = false;
        continue;
      }
      try {
        await writeFileAtomic(file, await (await drawing()).rgbToImage(crop).encode());
      } catch (e) {
        printError(`cannot write ${file}: ${(e as Error).message}`, run.verbose);
        ok = false;
      }
    }
  }
  return ok;
};

/** Runs the command; returns the exit code. */
export const run = async (args: string[]): Promise<number> => {
  const parsed = parseArgs(args, {
    values: [
      ...DETECT_VALUE_OPTIONS,
      "out",
      "workers",
      "crops",
      "crop-size",
      "every",
      "fps",
      "start",
      "duration",
      "track-memory",
      "track-fast",
      "ffmpeg",
      "pnet-weights",
      "rnet-weights",
      "onet-weights",
    ],
    flags: ["help", "verbose", "video", "face-only", "overwrite", ...DETECT_FLAG_OPTIONS],
  });
  if (typeof parsed === "string") return printError(`${parsed} (see --help)`), 2;
  const o = parsed.options;
  if (o.help) return console.log(DETECT_VIDEO_HELP), 0;
  if (parsed.positional.length === 0) return printError("no video given (see --help)"), 2;
  if (!o.video) {
    const other = parsed.positional.find((p) => !isVideoPath(p));
    if (other !== undefined) {
      return printError(
        `${other} is not a video file name: give images and videos in separate runs, or add --video`,
      ),
        2;
    }
  }
  const every = checked(o, "every", (n) => Number.isInteger(n) && n >= 1, "an integer >= 1");
  const fps = checked(o, "fps", (n) => n > 0 && n <= 1000, "in (0, 1000]");
  const start = checked(o, "start", (n) => n >= 0, ">= 0");
  const duration = checked(o, "duration", (n) => n > 0, "> 0");
  const memory = checked(o, "track-memory", (n) => n >= 0 && n <= 3600, "from 0 to 3600");
  const workers = checked(o, "workers", (n) => Number.isInteger(n) && n >= 0, "an integer >= 0");
  const cropSize = checked(o, "crop-size", (n) => n >= 8 && n <= 4096, "from 8 to 4096");
  const trackFast = checked(
    o,
    "track-fast",
    (n) => Number.isInteger(n) && n >= 1,
    "an integer >= 1",
  );
  for (const v of [every, fps, start, duration, memory, workers, cropSize, trackFast]) {
    if (typeof v === "string") return printError(v), 2;
  }
  if (every !== undefined && fps !== undefined) {
    return printError("give --every or --fps, not both"), 2;
  }
  const options = detectOptionsFrom(o);
  if (typeof options === "string") return printError(options), 2;
  const backend = backendFrom(o);
  if ("error" in backend) return printError(backend.error), 2;
  const verbose = o.verbose === true;
  const b = await useBackend(backend.backend);
  if (b._tag === "Left") return printError(b.left, verbose), 1;
  const file = (k: string) => (typeof o[k] === "string" ? o[k] as string : undefined);
  const weights = await weightsFromFlags(o);
  if (weights._tag === "Left") return printError(weights.left, verbose), 1;
  const detector = await createFrameDetector({
    ...options,
    weights: weights.right,
    cascade: o["face-only"] ? "faceOnly" : "faceAndLandmarks",
    workers: (workers as number | undefined) ?? Math.max(1, navigator.hardwareConcurrency || 1),
    backend: backend.backend,
  });
  if (detector._tag === "Left") return printError(detector.left, verbose), 2;
  const out = file("out"), crops = file("crops");
  try {
    if (out) await Deno.mkdir(out, { recursive: true });
    if (crops) await Deno.mkdir(crops, { recursive: true });
    let failed = 0;
    for (const path of parsed.positional) {
      const ok = await processVideo(path, {
        detector: detector.right,
        options,
        read: {
          every: every as number | undefined,
          fps: fps as number | undefined,
          start: start as number | undefined,
          duration: duration as number | undefined,
          ffmpeg: file("ffmpeg"),
        },
        memory: (memory as number | undefined) ?? 1,
        trackFast: trackFast as number | undefined,
        out,
        crops,
        cropSize: (cropSize as number | undefined) ?? 112,
        overwrite: o.overwrite === true,
        verbose,
      });
      if (!ok) failed++;
    }
    return failed > 0 ? 1 : 0;
  } catch (e) {
    printError(`${(e as Error).message}`);
    return 1;
  } finally {
    detector.right.dispose();
  }
};
