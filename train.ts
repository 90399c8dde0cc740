/**
 * Training the three nets, with the very same network functions and stages as detection:
 * datasets (PNet's random crops; RNet's and ONet's candidates mined by the detection stages),
 * losses with online hard example mining, Adam, atomic checkpoints and an exact resume.
 * On the wasm backend, start it with `useBackend("wasm")` (from `@mtcnn/mtcnn`): that installs
 * the gradient kernels tfjs-backend-wasm lacks. docs/training.md has the recipes.
 *
 * ```ts
 * import { initWeights, summary, TASK_WEIGHTS, trainNet } from "@mtcnn/mtcnn/train";
 *
 * console.log(summary("pnet")); // layers, output shapes, 6,632 parameters
 * // Train PNet from scratch on a set made by `deno task dataset --net pnet`:
 * const r = await trainNet({
 *   net: "pnet", data: "sets/pnet", out: "runs/pnet", epochs: 10, batchSize: 256, seed: 1,
 *   lr: { kind: "step", base: 0.001, gamma: 0.1, every: 5000 }, init: initWeights("pnet", 1),
 *   loss: { weights: TASK_WEIGHTS.pnet },
 *   resume: true, onProgress: (done, total, text) => console.error(done, total, text),
 * });
 * if (r._tag === "Right") console.log(r.right.samplesPerSecond);
 * ```
 *
 * @module
 */

export { pnet, type PNetOutput } from "./lib/nets/pnet.ts";
export { rnet, type RNetOutput } from "./lib/nets/rnet.ts";
export { onet, type ONetOutput } from "./lib/nets/onet.ts";
export {
  disposeTensors,
  fromTensors,
  type NetTensors,
  type TensorRef,
  toTensors,
  toVariables,
} from "./lib/nets/tensors.ts";
export * from "./lib/annotations/json.ts";
export type * from "./lib/annotations/landmark_annotation.ts";
export { type AdamConfig, makeAdam } from "./lib/train/adam.ts";
export { mirrorSample } from "./lib/train/augment.ts";
export { initWeights } from "./lib/train/init_weights.ts";
export { type LossOptions, mtcnnLoss, TASK_WEIGHTS, type TaskWeights } from "./lib/train/losses.ts";
export * from "./lib/train/lr_schedule.ts";
export { derivePrng, makePrng, type Prng } from "./lib/train/prng.ts";
export { reframe, type ReframeRange } from "./lib/train/reframe.ts";
export { type EpochRecord, loadCheckpoint } from "./pipelines/edge/train/checkpoint.ts";
export * from "./pipelines/train/evaluate_cascade.ts";
export {
  generateMinedSet,
  MINED_COUNTS,
  type MinedCounts,
  type MineOptions,
} from "./pipelines/train/gen_mined.ts";
export { generatePnetSet, type GenOptions, PNET_COUNTS } from "./pipelines/train/gen_pnet.ts";
export * from "./pipelines/edge/weights/net_weights_io.ts";
export {
  type Dataset,
  epochBatches,
  type HostBatch,
  openDataset,
} from "./pipelines/edge/train/shard_reader.ts";
export * from "./pipelines/train/train_net.ts";
export type { TrainOptions, TrainResult } from "./pipelines/train/train_options.ts";
export {
  type AnnotationFormat,
  loadTrainingImages,
  type TrainingImage,
} from "./pipelines/edge/train/training_images.ts";
export type { ValMetrics } from "./pipelines/train/train_step.ts";
export type { MtcnnWeights, NetWeights } from "./lib/weights/record.ts";
export type { NetName } from "./lib/spec.ts";
export type { Failure, Result, Success } from "./lib/result.ts";
export type { MtcnnError, MtcnnErrorTag } from "./lib/errors.ts";
export { summary, SUMMARY_INPUT, type SummaryRow, summaryRows } from "./lib/nets/summary.ts";
export type { OnProgress } from "./lib/progress.ts";
export type { ShardIndex } from "./lib/train/shard_format.ts";
export type { AnnotatedFace } from "./lib/train/samples.ts";
export type { Box } from "./lib/train/samples.ts";
export type { ShardEntry } from "./lib/train/shard_format.ts";
export type { SampleCounts } from "./lib/train/samples.ts";
