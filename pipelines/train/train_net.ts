/**
 * The training loop: Adam with a learning-rate schedule over epochs of a sharded set, a
 * validation pass per epoch, atomic checkpoints every N steps and at each epoch's end, and
 * `resume`, which continues exactly as an uninterrupted run would (same seed, same weights,
 * bit for bit: the weights, Adam's moments, the PRNG state and the data position are saved).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import { disposeTensors, fromTensors, toTensors, toVariables } from "../../lib/nets/tensors.ts";
import type { Result } from "../../lib/result.ts";
import { NET_SPECS, type NetName } from "../../lib/spec.ts";
import { makeAdam } from "../../lib/train/adam.ts";
import { mirrorSample } from "../../lib/train/augment.ts";
import { learningRateAt } from "../../lib/train/lr_schedule.ts";
import { makePrng } from "../../lib/train/prng.ts";
import type { NetWeights } from "../../lib/weights/record.ts";
import { type EpochRecord, saveCheckpoint, type TrainMeta } from "../edge/train/checkpoint.ts";
import { progressOf } from "../../lib/progress.ts";
import { epochBatches } from "../edge/train/shard_reader.ts";
import { type ParallelTrainer, startParallelTrainer } from "./parallel_train.ts";
import { epochLine, openRun, validate } from "./train_run.ts";
import type { TrainOptions, TrainResult } from "./train_options.ts";
import { trainStep } from "./train_step.ts";

/**
 * Trains one net. Returns the final weights; failures (bad data, mismatched checkpoint) are
 * values.

 *
 * @example
 * ```ts
 * import { initWeights, TASK_WEIGHTS, trainNet } from "@mtcnn/mtcnn/train";
 * const r = await trainNet({
 *   net: "pnet", data: "/tmp/sets/pnet_train", out: "runs/pnet", epochs: 1, batchSize: 256,
 *   seed: 1, lr: { kind: "constant", base: 0.001 }, loss: { weights: TASK_WEIGHTS.pnet },
 *   init: initWeights("pnet", 1), resume: true,
 * });
 * if (r._tag === "Right") console.log(r.right.samplesPerSecond);
 * ```
 */
export const trainNet = async <N extends NetName>(
  o: TrainOptions<N>,
): Promise<Result<MtcnnError, TrainResult<N>>> => {
  const opened = await openRun(o);
  if (opened._tag === "Left") return opened;
  const { ds, val, steps, side, trainable, config, ckptPath, saved } = opened.right;
  const start = saved
    ? {
      ...o.init,
      params: Object.fromEntries(
        NET_SPECS[o.net].map((p) => [p.name, saved.arrays[`w/${p.name}`]]),
      ),
    } as NetWeights<N>
    : o.init;
  const vars = toVariables(start);
  const teacher = o.distill ? toTensors(o.init) : undefined;
  const distill = teacher ? { teacher, weight: o.distill! } : undefined;
  const all = vars as unknown as Record<string, tf.Variable>;
  const adam = makeAdam(Object.fromEntries(trainable.map((n) => [n, all[n]])));
  const prng = makePrng(o.seed ^ 0x5eed);
  let epoch = 0, inEpoch = 0, global = 0;
  const history: EpochRecord[] = [];
  if (saved) {
    adam.restore(saved.meta.adamStep, saved.arrays);
    prng.state = saved.meta.prngState;
    ({ epoch, stepInEpoch: inEpoch, globalStep: global } = saved.meta);
    history.push(...saved.meta.history);
    o.log?.(`resumed ${o.net} at epoch ${epoch + 1}, step ${inEpoch} (global ${global})`);
  }
  let lossSum = saved?.meta.lossSum ?? 0;
  let trainMs = 0, trained = 0;
  const checkpoint = async () => {
    const arrays: Record<string, Float32Array> = {};
    const w = await fromTensors(o.net, vars);
    for (const p of NET_SPECS[o.net]) {
      arrays[`w/${p.name}`] = (w.params as Record<string, Float32Array>)[p.name];
    }
    Object.assign(arrays, await adam.read());
    return saveCheckpoint(ckptPath, {
      meta: {
        net: o.net,
        config,
        epoch,
        stepInEpoch: inEpoch,
        globalStep: global,
        adamStep: adam.step,
        prngState: prng.state,
        lossSum,
        history,
      } satisfies TrainMeta,
      arrays,
    });
  };
  const bar = progressOf(o.onProgress);
  let trainer: ParallelTrainer | undefined;
  try {
    if ((o.workers ?? 0) > 1) {
      if (distill || tf.getBackend() !== "wasm") {
        const why = "data-parallel workers need the wasm backend and no distillation";
        return E.left(mtcnnError("OptionError", why));
      }
      try {
        trainer = await startParallelTrainer(o.net, o.workers!, o.batchSize);
      } catch (e) {
        return E.left(mtcnnError("BackendError", `training workers: ${describe(e)}`, e));
      }
    }
    while (epoch < o.epochs) {
      for await (const rb of epochBatches(ds, o.seed, epoch, o.batchSize, inEpoch)) {
        if (rb._tag === "Left") return rb;
        const b = rb.right;
        if (o.flip) {
          for (let i = 0; i < b.size; i++) {
            if (prng.next() < 0.5) mirrorSample(b.images, b.box, b.landmarks, b.labels[i], side, i);
          }
        }
        const t0 = performance.now();
        const lr = learningRateAt(o.lr, global);
        let loss: number;
        if (trainer) {
          const r = await trainer.step(vars, trainable, adam, o.loss, b, lr).then(
            (l): Result<MtcnnError, number> => E.right(l),
            (e) => E.left(mtcnnError("BackendError", `training workers: ${describe(e)}`, e)),
          );
          if (r._tag === "Left") return r;
          loss = r.right;
        } else loss = trainStep(o.net, vars, trainable, adam, o.loss, b, lr, distill);
        trainMs += performance.now() - t0;
        trained += b.size;
        if (!Number.isFinite(loss)) {
          return E.left(mtcnnError("BackendError", `loss became ${loss} at step ${global}`));
        }
        lossSum += loss;
        inEpoch++;
        global++;
        const sps = trained / (trainMs / 1000);
        bar.update(
          inEpoch,
          steps,
          `epoch ${epoch + 1}/${o.epochs} loss ${loss.toFixed(4)} ${sps.toFixed(0)} samples/s`,
        );
        if (global % (o.logEvery ?? 100) === 0) {
          o.log?.(
            `step ${global} epoch ${epoch + 1} ${inEpoch}/${steps} loss ${loss.toFixed(4)} lr ${
              learningRateAt(o.lr, global - 1).toExponential(2)
            } ${sps.toFixed(0)} samples/s`,
          );
        }
        const stop = o.maxSteps !== undefined && global >= o.maxSteps;
        if (global % (o.checkpointEvery ?? 200) === 0 || stop) {
          const r = await checkpoint();
          if (r._tag === "Left") return r;
        }
        if (stop) {
          return E.right({
            weights: await fromTensors(o.net, vars),
            history,
            samplesPerSecond: trained / (trainMs / 1000),
            steps: global,
          });
        }
      }
      bar.done();
      const metrics = await validate(o.net, vars, o.loss, val);
      if (metrics._tag === "Left") return metrics;
      const rec: EpochRecord = {
        epoch: epoch + 1,
        trainLoss: lossSum / steps,
        ...(metrics.right ? { val: metrics.right } : {}),
      };
      history.push(rec);
      o.log?.(epochLine(rec));
      epoch++;
      inEpoch = 0;
      lossSum = 0;
      const r = await checkpoint();
      if (r._tag === "Left") return r;
    }
    return E.right({
      weights: await fromTensors(o.net, vars),
      history,
      samplesPerSecond: trained / Math.max(1e-9, trainMs / 1000),
      steps: global,
    });
  } finally {
    trainer?.terminate();
    bar.done();
    adam.dispose();
    disposeTensors(vars);
    if (teacher) disposeTensors(teacher);
  }
};
