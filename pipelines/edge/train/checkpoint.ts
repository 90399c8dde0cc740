/**
 * Saving and loading training checkpoints (format in `lib/train/checkpoint_format.ts`),
 * atomically: a run killed at any moment leaves the previous checkpoint intact.
 *
 * @module
 */
import { dirname } from "node:path";
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../../../lib/errors.ts";
import type { Result } from "../../../lib/result.ts";
import {
  type CheckpointData,
  decodeCheckpoint,
  encodeCheckpoint,
} from "../../../lib/train/checkpoint_format.ts";
import type { ValMetrics } from "../../train/train_step.ts";
import { writeFileAtomic } from "../atomic.ts";

/** What a training checkpoint records besides the arrays. */
export interface TrainMeta {
  /** Network. */
  readonly net: string;
  /** A fingerprint of the settings that must not change on resume. */
  readonly config: string;
  /** Epoch in progress (0-based). */
  readonly epoch: number;
  /** Steps of that epoch already done. */
  readonly stepInEpoch: number;
  /** Steps done over the whole run. */
  readonly globalStep: number;
  /** Adam's update count. */
  readonly adamStep: number;
  /** State of the augmentation PRNG. */
  readonly prngState: number;
  /** Sum of the training losses of the epoch in progress. */
  readonly lossSum: number;
  /** Per finished epoch: training loss and validation metrics. */
  readonly history: readonly EpochRecord[];
}

/** One finished epoch. */
export interface EpochRecord {
  /** 1-based epoch number. */
  readonly epoch: number;
  /** Mean training loss over the epoch's steps. */
  readonly trainLoss: number;
  /** Validation metrics, when there is a validation set. */
  readonly val?: ValMetrics;
}

/** Writes a checkpoint atomically (its folder is made when missing). */
export const saveCheckpoint = async (
  path: string,
  c: CheckpointData<TrainMeta>,
): Promise<Result<MtcnnError, void>> => {
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, encodeCheckpoint(c));
    return E.right(undefined);
  } catch (e) {
    return E.left(mtcnnError("IoError", `${path}: cannot write checkpoint (${describe(e)})`, e));
  }
};

/** Reads a checkpoint; `undefined` when there is none at `path`.
 *
 * @example
 * ```ts
 * import { loadCheckpoint } from "@mtcnn/mtcnn/train";
 * const c = await loadCheckpoint("runs/pnet/checkpoint.bin");
 * if (c._tag === "Right" && c.right) console.log(c.right.meta.globalStep);
 * ```
 */
export const loadCheckpoint = async (
  path: string,
): Promise<Result<MtcnnError, CheckpointData<TrainMeta> | undefined>> => {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return E.right(undefined);
    return E.left(mtcnnError("IoError", `${path}: cannot read (${describe(e)})`, e));
  }
  return decodeCheckpoint<TrainMeta>(bytes, path);
};
