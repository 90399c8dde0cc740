/**
 * A detector for video frames that can also look for known faces only: besides the full
 * cascade, `refine` runs RNet and ONet on boxes given by the caller (the tracked faces'
 * predicted boxes, enlarged), skipping the pyramid and PNet, which take most of the time.
 * `detect --track-fast K` runs the full cascade every K frames and `refine` in between.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import * as TE from "fp-ts/TaskEither.js";
import type { MtcnnError } from "../lib/errors.ts";
import type { RgbImage } from "../lib/image.ts";
import { disposeTensors, toTensors } from "../lib/nets/tensors.ts";
import type { Result, TaskResult } from "../lib/result.ts";
import { checkWeights, type MtcnnWeights } from "../lib/weights/record.ts";
import type { CentreBox } from "../lib/track/tracker.ts";
import {
  type CascadeTensors,
  dedupe,
  type Detection,
  faceAndLandmarks,
  faceOnly,
  output,
  refine,
  runCascade,
  sequence,
} from "./cascade.ts";
import { resolveOptions } from "./options.ts";
import { startNetPool } from "./parallel/pool.ts";
import { pooledStages, type WorkerDetectorOptions } from "./parallel/worker_detector.ts";
import { crop } from "./stages/crop.ts";
import { outputWith } from "./stages/output.ts";
import { refineWith } from "./stages/refine.ts";
import type { Stage } from "./state.ts";

/** Options of {@linkcode createFrameDetector}; `workers: 0` runs in this thread. */
export interface FrameDetectorOptions extends WorkerDetectorOptions {
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

/** A stage that replaces the candidates with square seeds around `boxes`. */
const seeds = (boxes: readonly CentreBox[], scales: readonly number[]): Stage => (state) => {
  const n = boxes.length * scales.length;
  const out = new Float64Array(4 * n);
  let k = 0;
  for (const [cx, cy, w, h] of boxes) {
    for (const s of scales) {
      const half = (Math.max(w, h) * s) / 2;
      out.set([cx - half, cy - half, cx + half, cy + half], 4 * k++);
    }
  }
  return TE.right({
    ...state,
    candidates: { count: n, boxes: out, scores: new Float64Array(n).fill(1) },
  });
};

/**
 * Creates a {@linkcode FrameDetector}: on `workers` worker threads (default: the number of
 * cores), or in this thread with `workers: 0`.
 */
export const createFrameDetector = (
  weights: MtcnnWeights,
  options: FrameDetectorOptions = {},
): TaskResult<MtcnnError, FrameDetector> =>
async () => {
  const opts = resolveOptions(options);
  if (opts._tag === "Left") return opts;
  for (const net of ["pnet", "rnet", "onet"] as const) {
    const c = checkWeights(net, weights?.[net]);
    if (c._tag === "Left") return c;
  }
  const withOnet = options.cascade !== "faceOnly";
  const scales = options.seedScales ?? [1.15, 1.4];
  const n = options.workers ?? Math.max(1, navigator.hardwareConcurrency || 1);
  let full: readonly Stage[], later: readonly Stage[], release: () => void, shared: boolean;
  if (n > 0) {
    const pool = await startNetPool(weights, n, options.backend ?? "auto");
    if (pool._tag === "Left") return pool;
    full = pooledStages(pool.right, withOnet);
    later = [
      sequence([crop(24, { deferred: true }), refineWith(pool.right.rnet)]),
      withOnet ? sequence([crop(48, { deferred: true }), outputWith(pool.right.onet)]) : dedupe,
    ];
    release = () => pool.right.terminate();
    shared = true;
  } else {
    const t: CascadeTensors = {
      pnet: toTensors(weights.pnet),
      rnet: toTensors(weights.rnet),
      onet: toTensors(weights.onet),
    };
    full = withOnet ? faceAndLandmarks(t) : faceOnly(t);
    later = [refine(t.rnet), withOnet ? output(t.onet) : dedupe];
    release = () => {
      disposeTensors(t.pnet);
      disposeTensors(t.rnet);
      disposeTensors(t.onet);
    };
    shared = false;
  }
  const detectFull = runCascade(full, options, shared);
  let disposed = false;
  return E.right({
    detect: (frame) => detectFull(frame)(),
    refine: (frame, boxes) =>
      runCascade([seeds(boxes, scales), ...later], options, shared)(frame)(),
    dispose: () => {
      if (!disposed) release();
      disposed = true;
    },
  });
};
