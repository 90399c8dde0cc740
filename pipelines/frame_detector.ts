/**
 * A detector for video frames that can also look for known faces only: besides the full
 * cascade, `refine` runs RNet and ONet on boxes given by the caller (the tracked faces'
 * predicted boxes, enlarged), skipping the pyramid and PNet, which take most of the time.
 * `detect --track-fast K` runs the full cascade every K frames and `refine` in between.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../lib/errors.ts";
import type { RgbImage } from "../lib/image.ts";
import type { Result } from "../lib/result.ts";
import type { CentreBox } from "../lib/track/tracker.ts";
import { loadDefaultWeights } from "../lib/weights/default_weights.ts";
import type { MtcnnWeights } from "../lib/weights/record.ts";
import { faceAndLandmarks, faceOnly, stageParams } from "./cascade.ts";
import { cascade, runStage } from "./compose.ts";
import { type Detection, toDetection } from "./detection.ts";
import type { CascadeName } from "./detector_types.ts";
import { type BackendName, ensureBackend } from "./edge/backend.ts";
import { loadScaledImage } from "./edge/load_image.ts";
import { startNets, workersOption } from "./nets/start.ts";
import { type DetectOptions, resolveOptions } from "./options.ts";
import { crop } from "./stages/crop.ts";
import { imageState } from "./stages/load.ts";
import { output } from "./stages/output.ts";
import { refine } from "./stages/refine.ts";
import type { CandidateState, ImageState, Stage } from "./state.ts";

/** Options of {@linkcode createFrameDetector}; each field says its default. */
export interface FrameDetectorOptions extends DetectOptions {
  /** The weights (default: the embedded pretrained weights). */
  readonly weights?: MtcnnWeights;
  /** Net worker threads (default 0: this thread). */
  readonly workers?: number;
  /** The backend (default: the current one, else `auto`). */
  readonly backend?: BackendName;
  /** `faceAndLandmarks` (default) or `faceOnly` (no ONet, no landmarks). */
  readonly cascade?: CascadeName;
  /**
   * Sizes, relative to a given box, of the square seeds `refine` gives RNet per box
   * (default [1.15, 1.4]: RNet's box regression pulls a seed onto the face within it).
   */
  readonly seedScales?: readonly number[];
}

/** A detector for frames. Call `dispose()` when done. */
export interface FrameDetector {
  /** The full cascade on a frame. */
  detect(frame: RgbImage): Promise<Result<MtcnnError, Detection>>;
  /** RNet (and ONet) on seeds around `boxes` ([cx, cy, w, h] each), no pyramid or PNet. */
  refine(frame: RgbImage, boxes: readonly CentreBox[]): Promise<Result<MtcnnError, Detection>>;
  /** Frees the tensors or ends the workers. */
  dispose(): void;
}

/** A stage that replaces the image with square seed candidates around `boxes`. */
const seeds = (
  boxes: readonly CentreBox[],
  scales: readonly number[],
): Stage<ImageState, CandidateState<"proposals">> =>
(state) => {
  const n = boxes.length * scales.length;
  const out = new Float64Array(4 * n);
  let k = 0;
  for (const [cx, cy, w, h] of boxes) {
    for (const s of scales) {
      const half = (Math.max(w, h) * s) / 2;
      out.set([cx - half, cy - half, cx + half, cy + half], 4 * k++);
    }
  }
  const { image, sat, source, timings } = state;
  return Promise.resolve(E.right({
    phase: "proposals" as const,
    image,
    sat,
    source,
    timings,
    candidates: { count: n, boxes: out, scores: new Float64Array(n).fill(1) },
  }));
};

/**
 * Creates a {@linkcode FrameDetector}: in this thread (default) or on `workers` worker threads.
 *
 * @example
 * ```ts
 * import { createFrameDetector } from "./frame_detector.ts";
 * const d = await createFrameDetector({ workers: 0 });
 * if (d._tag === "Right") {
 *   const frame = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3) };
 *   const r = await d.right.refine(frame, [[32, 24, 20, 20]]);
 *   if (r._tag === "Right") console.log(r.right.faces.length); // 0: a blank frame
 *   d.right.dispose();
 * }
 * ```
 */
export const createFrameDetector = async (
  options: FrameDetectorOptions = {},
): Promise<Result<MtcnnError, FrameDetector>> => {
  const o = resolveOptions(options);
  if (o._tag === "Left") return o;
  const checked = workersOption(options.workers);
  if (checked._tag === "Left") return checked;
  const workers = checked.right;
  const backend = await ensureBackend(options.backend);
  if (backend._tag === "Left") return backend;
  const w = options.weights ? E.right(options.weights) : await loadDefaultWeights();
  if (w._tag === "Left") return w;
  const started = await startNets(w.right, workers, options.backend ?? "auto");
  if (started._tag === "Left") return started;
  const { nets, release } = started.right;
  const withOnet = options.cascade !== "faceOnly";
  const p = stageParams(o.right);
  const full: Stage<ImageState, CandidateState> = withOnet
    ? faceAndLandmarks(nets, o.right)
    : faceOnly(nets, o.right);
  const later = (boxes: readonly CentreBox[]): Stage<ImageState, CandidateState> => {
    const s = seeds(boxes, options.seedScales ?? [1.15, 1.4]);
    const r = cascade(s, crop(24, p.crop), refine(nets.rnet, p.refine));
    return withOnet ? cascade(r, crop(48, p.crop), output(nets.onet, p.output)) : r;
  };
  const shared = workers > 0;
  let disposed = false;
  const run = async (frame: RgbImage, stage: Stage<ImageState, CandidateState>) => {
    if (disposed) return E.left(mtcnnError("InputError", "this detector has been disposed"));
    try {
      const t0 = performance.now();
      const loaded = await loadScaledImage(frame, o.right.maxPixels);
      if (loaded._tag === "Left") return loaded;
      const end = await runStage(stage, imageState(loaded.right, shared, performance.now() - t0));
      return end._tag === "Left" ? end : E.right(toDetection(end.right, o.right));
    } catch (e) {
      return E.left(mtcnnError("BackendError", `detection failed: ${describe(e)}`, e));
    }
  };
  return E.right({
    detect: (frame) => run(frame, full),
    refine: (frame, boxes) => run(frame, later(boxes)),
    dispose: () => {
      if (!disposed) release();
      disposed = true;
    },
  });
};
