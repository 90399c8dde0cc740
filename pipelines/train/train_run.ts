/**
 * The parts of a training run around its step loop: opening and checking the sets and the
 * checkpoint to resume from, the validation pass at each epoch's end, and its log line.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { join } from "node:path";
import { type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { NetTensors } from "../../lib/nets/tensors.ts";
import type { Result } from "../../lib/result.ts";
import { NET_INPUT_SIZE, NET_SPECS, type NetName } from "../../lib/spec.ts";
import type { CheckpointData } from "../../lib/train/checkpoint_format.ts";
import type { LossOptions } from "../../lib/train/losses.ts";
import { type EpochRecord, loadCheckpoint, type TrainMeta } from "../edge/train/checkpoint.ts";
import { type Dataset, openDataset, stepsPerEpoch } from "../edge/train/shard_reader.ts";
import { validationBatches } from "../edge/train/validation_batches.ts";
import type { TrainOptions } from "./train_options.ts";
import { validationAccumulator, type ValMetrics } from "./train_step.ts";

/** A run's sets, its settings as saved in checkpoints, and the checkpoint to resume from. */
export interface OpenedRun {
  /** The training set. */
  readonly ds: Dataset;
  /** The validation set, if any. */
  readonly val?: Dataset;
  /** Steps in one epoch. */
  readonly steps: number;
  /** The net's input side. */
  readonly side: number;
  /** The parameters that learn. */
  readonly trainable: readonly string[];
  /** The settings a resumed run must share, as JSON. */
  readonly config: string;
  /** Where checkpoints go. */
  readonly ckptPath: string;
  /** The checkpoint to resume from, with `resume` and when there is one. */
  readonly saved?: CheckpointData<TrainMeta>;
}

/**
 * Opens the sets (the training set's samples must be the net's side, one batch at least) and,
 * with `resume`, the checkpoint, which must have been made with the same settings.
 */
export const openRun = async <N extends NetName>(
  o: TrainOptions<N>,
): Promise<Result<MtcnnError, OpenedRun>> => {
  const ds = await openDataset(o.data);
  if (ds._tag === "Left") return ds;
  const side = NET_INPUT_SIZE[o.net];
  if (ds.right.index.side !== side) {
    return E.left(
      mtcnnError(
        "InputError",
        `${o.data} holds ${ds.right.index.side}px samples; ${o.net} needs ${side}px`,
      ),
    );
  }
  const val = o.val ? await openDataset(o.val) : undefined;
  if (val?._tag === "Left") return val;
  const steps = stepsPerEpoch(ds.right, o.batchSize);
  if (steps < 1) return E.left(mtcnnError("InputError", `${o.data}: fewer samples than one batch`));
  const trainable = o.trainable ?? NET_SPECS[o.net].map((p) => p.name);
  const config = JSON.stringify({
    net: o.net,
    batch: o.batchSize,
    seed: o.seed,
    lr: o.lr,
    loss: o.loss,
    trainable,
    total: ds.right.index.total,
    flip: !!o.flip,
    distill: o.distill ?? 0,
  });
  const ckptPath = join(o.out, "checkpoint.bin");
  const ck = o.resume ? await loadCheckpoint(ckptPath) : E.right(undefined);
  if (ck._tag === "Left") return ck;
  const saved = ck.right;
  if (saved && saved.meta.config !== config) {
    return E.left(
      mtcnnError("OptionError", `${ckptPath} was made with other settings: ${saved.meta.config}`),
    );
  }
  return E.right({
    ds: ds.right,
    val: val?.right,
    steps,
    side,
    trainable,
    config,
    ckptPath,
    saved,
  });
};

/** The validation metrics of every sample of `val` (none without a set). */
export const validate = async <N extends NetName>(
  net: N,
  vars: NetTensors<N>,
  loss: LossOptions,
  val: Dataset | undefined,
): Promise<Result<MtcnnError, ValMetrics | undefined>> => {
  if (!val) return E.right(undefined);
  const acc = validationAccumulator(net, vars, loss);
  for await (const vb of validationBatches(val, 256)) {
    if (vb._tag === "Left") return vb;
    acc.add(vb.right);
  }
  return E.right(acc.result());
};

/** The log line of an epoch's record. */
export const epochLine = (rec: EpochRecord): string =>
  `epoch ${rec.epoch} train loss ${
    Number.isNaN(rec.trainLoss) ? "(resumed)" : rec.trainLoss.toFixed(4)
  }` + (rec.val
    ? ` val ${
      JSON.stringify(rec.val, (_, v) => typeof v === "number" ? +v.toFixed(5) : v)
    }`
    : "");
