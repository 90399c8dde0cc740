/**
 * What a training run takes and gives.
 *
 * @module
 */
import type { NetName } from "../../lib/spec.ts";
import type { LossOptions } from "../../lib/train/losses.ts";
import type { LrSchedule } from "../../lib/train/lr_schedule.ts";
import type { NetWeights } from "../../lib/weights/record.ts";
import type { OnProgress } from "../../lib/progress.ts";
import type { EpochRecord } from "../edge/train/checkpoint.ts";

/** Settings of a training run. */
export interface TrainOptions<N extends NetName> {
  /** Network to train. */
  readonly net: N;
  /** Training set folder (with `index.json`). */
  readonly data: string;
  /** Validation set folder, optional. */
  readonly val?: string;
  /** Folder for `checkpoint.bin` (created). */
  readonly out: string;
  /** Epochs. */
  readonly epochs: number;
  /** Samples per step. */
  readonly batchSize: number;
  /** Seed of the data order and augmentation. */
  readonly seed: number;
  /** Learning-rate schedule. */
  readonly lr: LrSchedule;
  /** Loss settings. */
  readonly loss: LossOptions;
  /** Starting weights (random or pretrained); ignored when resuming from a checkpoint. */
  readonly init: NetWeights<N>;
  /** Parameters to train (default all); the others stay fixed. */
  readonly trainable?: readonly string[];
  /** Steps between checkpoints (default 200). */
  readonly checkpointEvery?: number;
  /** Continue from `out/checkpoint.bin` when it exists. */
  readonly resume?: boolean;
  /**
   * Keep the starting weights' face scores and box regression: weight of the squared
   * difference to a frozen copy of `init` (default 0, off). For fine-tuning landmarks.
   */
  readonly distill?: number;
  /** Mirror each sample with probability 1/2 (default false). */
  readonly flip?: boolean;
  /**
   * Data-parallel workers for the steps (default 0: this thread); wasm backend, no
   * distillation. The weights equal one thread's up to float rounding; `resume` is exact with
   * the same count.
   */
  readonly workers?: number;
  /** Stop (after checkpointing) once this many steps are done in total; for tests. */
  readonly maxSteps?: number;
  /** Receives one line per epoch and per `logEvery` steps. */
  readonly log?: (line: string) => void;
  /** Called as training advances: steps done, steps in the run, the loss and samples/s. */
  readonly onProgress?: OnProgress;
  /** Steps between log lines (default 100). */
  readonly logEvery?: number;
}

/** What a run produced. */
export interface TrainResult<N extends NetName> {
  /** The trained weights. */
  readonly weights: NetWeights<N>;
  /** Finished epochs with their metrics. */
  readonly history: readonly EpochRecord[];
  /** Training throughput of this process (steps only, no validation or checkpoints). */
  readonly samplesPerSecond: number;
  /** Steps done in total. */
  readonly steps: number;
}
