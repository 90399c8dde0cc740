/**
 * Where a detector's nets run, started once for `createDetector` and `createFrameDetector`: in
 * this thread (`workers: 0`) or on a pool of net workers.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { Result } from "../../lib/result.ts";
import type { MtcnnWeights } from "../../lib/weights/record.ts";
import type { BackendName } from "../edge/backend.ts";
import { startNetPoolWith } from "../parallel/pool.ts";
import { isWorkerCount } from "../parallel/worker_urls.ts";
import { localNets } from "./local.ts";
import type { Nets } from "./types.ts";

/** The `workers` option checked: an integer from 0 to 64 (default 0). */
export const workersOption = (workers: number | undefined): Result<MtcnnError, number> => {
  const n = workers ?? 0;
  return isWorkerCount(n)
    ? E.right(n)
    : E.left(mtcnnError("OptionError", `workers must be an integer from 0 to 64, got ${n}`));
};

/** Started nets and how to free them. */
export interface StartedNets {
  /** The nets (in this thread, or split over the workers). */
  readonly nets: Nets;
  /** Per worker, the nets on that worker alone (one worker or none: empty). */
  readonly lanes: readonly Nets[];
  /** Frees the nets (ends the workers). */
  readonly release: () => void;
}

/**
 * The nets of `weights` in this thread (`workers` 0) or on `workers` net workers with backend
 * `backend`; `spawn` gives the workers' Worker objects (e.g. spawned early).
 */
export const startNets = async (
  weights: MtcnnWeights,
  workers: number,
  backend: BackendName,
  spawn?: (i: number) => Worker,
): Promise<Result<MtcnnError, StartedNets>> => {
  if (workers === 0) {
    const local = localNets(weights);
    if (local._tag === "Left") return local;
    return E.right({ nets: local.right, lanes: [], release: () => local.right.dispose() });
  }
  const pool = await startNetPoolWith(weights, workers, backend, spawn ? { spawn } : {});
  if (pool._tag === "Left") return pool;
  return E.right({
    nets: pool.right.nets,
    lanes: pool.right.size > 1 ? pool.right.lanes : [],
    release: () => pool.right.terminate(),
  });
};
