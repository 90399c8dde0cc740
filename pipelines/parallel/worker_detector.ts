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
import { checkWeights, type MtcnnWeights } from "../../lib/weights/record.ts";
import { dedupe, sequence } from "../cascade.ts";
import { type Detector, detectorOf } from "../detector.ts";
import type { BackendName } from "../edge/backend.ts";
import { type DetectOptions, resolveOptions } from "../options.ts";
import { crop } from "../stages/crop.ts";
import { withFlip } from "../stages/flip.ts";
import { outputWith } from "../stages/output.ts";
import { proposeWith } from "../stages/propose.ts";
import { pyramidPlan } from "../stages/pyramid.ts";
import { refineWith } from "../stages/refine.ts";
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
}

/** The pooled stages: pyramid plan, PNet, crop, RNet (and crop, ONet). */
export const pooledStages = (pool: NetPool, withOnet = true): readonly Stage[] => [
  withFlip([
    pyramidPlan,
    proposeWith(pool.levels),
    sequence([crop(24, { deferred: true }), refineWith(pool.rnet)]),
    withOnet ? sequence([crop(48, { deferred: true }), outputWith(pool.onet)]) : dedupe,
  ]),
];

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
  const n = options.workers ?? Math.max(1, navigator.hardwareConcurrency || 1);
  const pool = await startNetPool(weights, n, options.backend ?? "auto");
  if (pool._tag === "Left") return pool;
  const stages = pooledStages(pool.right, options.cascade !== "faceOnly");
  return E.right(detectorOf(stages, options, true, () => pool.right.terminate()));
};
