/**
 * A detector whose nets run on worker threads: the pyramid and PNet levels, RNet's and ONet's
 * crop batches are shared out over the workers, so detection uses every core. Same stages,
 * same results as the in-thread detector.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import type { MtcnnError } from "../../lib/errors.ts";
import type { TaskResult } from "../../lib/result.ts";
import { disposeTensors, toTensors } from "../../lib/nets/tensors.ts";
import { onet } from "../../lib/nets/onet.ts";
import { checkWeights, type MtcnnWeights, type ONetWeights } from "../../lib/weights/record.ts";
import { dedupe, sequence } from "../cascade.ts";
import { checkLandmarkOptions, type Detector, detectorOf } from "../detector.ts";
import type { BackendName } from "../edge/backend.ts";
import { type DetectOptions, resolveOptions } from "../options.ts";
import { crop } from "../stages/crop.ts";
import { type CropRunner, localCrops } from "../stages/crop_runner.ts";
import { withFlip } from "../stages/flip.ts";
import { outputWith } from "../stages/output.ts";
import { proposeWith } from "../stages/propose.ts";
import { pyramidPlan } from "../stages/pyramid.ts";
import { refineWith } from "../stages/refine.ts";
import { landmarksOption } from "../stages/refined_landmarks.ts";
import { withRotations } from "../stages/rotations.ts";
import type { Stage } from "../state.ts";
import { type NetPool, startNetPool } from "./pool.ts";

/** Options of {@linkcode createWorkerDetector}. */
export interface WorkerDetectorOptions extends DetectOptions {
  /** Number of worker threads. Default: the number of cores (`navigator.hardwareConcurrency`). */
  readonly workers?: number;
  /** Backend of every worker. Default `auto` (wasm, else cpu). */
  readonly backend?: BackendName;
  /** `faceAndLandmarks` (P, R, O; default) or `faceOnly` (P, R). */
  readonly cascade?: "faceAndLandmarks" | "faceOnly";
  /**
   * The landmark stage's ONet for `landmarks: "refined"`, run in this thread (it sees only the
   * final faces). Default: the workers' ONet.
   */
  readonly landmarkOnet?: ONetWeights;
}

/**
 * The pooled stages: pyramid plan, PNet, crop, RNet (and crop, ONet, and the landmark stage on
 * `landmarks`, default the workers' ONet), inside flip and rotations as in `faceAndLandmarks`.
 */
export const pooledStages = (
  pool: NetPool,
  withOnet = true,
  landmarks: CropRunner<"landmarks"> = pool.onet,
): readonly Stage[] => {
  const detect = withFlip([
    pyramidPlan,
    proposeWith(pool.levels),
    sequence([crop(24, { deferred: true }), refineWith(pool.rnet)]),
    withOnet ? sequence([crop(48, { deferred: true }), outputWith(pool.onet)]) : dedupe,
  ]);
  return [withRotations(withOnet ? [detect, landmarksOption(landmarks)] : [detect])];
};

/**
 * Starts a detector on worker threads. Call `dispose()` to end the workers.
 *
 * @example
 * ```ts
 * import { createWorkerDetector, loadDefaultWeights } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const d = await createWorkerDetector(w.right, { workers: 2 })();
 *   if (d._tag === "Right") {
 *     const r = await d.right.detect("photo.jpg");
 *     if (r._tag === "Right") console.log(r.right.faces.length);
 *     d.right.dispose();
 *   }
 * }
 * ```
 */
export const createWorkerDetector = (
  weights: MtcnnWeights,
  options: WorkerDetectorOptions = {},
): TaskResult<MtcnnError, Detector> =>
async () => {
  const opts = resolveOptions(options);
  if (opts._tag === "Left") return opts;
  for (const net of ["pnet", "rnet", "onet"] as const) {
    const c = checkWeights(net, weights?.[net]);
    if (c._tag === "Left") return c;
  }
  const lm = checkLandmarkOptions(options);
  if (lm._tag === "Left") return lm;
  const n = options.workers ?? Math.max(1, navigator.hardwareConcurrency || 1);
  const pool = await startNetPool(weights, n, options.backend ?? "auto");
  if (pool._tag === "Left") return pool;
  const own = options.landmarkOnet ? toTensors(options.landmarkOnet) : undefined;
  const net = own ? onet(own) : undefined;
  const landmarks = net ? localCrops((x) => ({ landmarks: net(x).landmarks })) : undefined;
  const stages = pooledStages(pool.right, options.cascade !== "faceOnly", landmarks);
  return E.right(detectorOf(stages, options, true, () => {
    pool.right.terminate();
    if (own) disposeTensors(own);
  }));
};
