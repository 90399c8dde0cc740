/**
 * MTCNN face detection and alignment for Deno: PNet -> RNet -> ONet, giving face boxes,
 * confidences and five landmarks, with the same results as the reference implementations and
 * the same networks for training.
 *
 * ```ts
 * import { createDetector, loadDefaultWeights, useBackend } from "@mtcnn/mtcnn";
 *
 * await useBackend("auto")(); // wasm (SIMD) where it loads, else cpu
 * const weights = await loadDefaultWeights();
 * if (weights._tag === "Left") throw new Error(weights.left.message);
 * const detector = createDetector(weights.right);
 * if (detector._tag === "Left") throw new Error(detector.left.message);
 * const result = await detector.right.detect("photo.jpg");
 * if (result._tag === "Right") console.log(result.right.faces);
 * detector.right.dispose();
 * ```
 *
 * @module
 */

// Errors and results
export { isMtcnnError, type MtcnnError, mtcnnError, type MtcnnErrorTag } from "./lib/errors.ts";
export type * from "./lib/result.ts";

// Networks, weights
export * from "./lib/spec.ts";
export * from "./lib/weights/record.ts";
export * from "./lib/weights/default_weights.ts";
export {
  disposeTensors,
  fromTensors,
  type NetTensors,
  type TensorRef,
  toTensors,
  toVariables,
} from "./lib/nets/tensors.ts";
export * from "./lib/nets/pnet.ts";
export * from "./lib/nets/rnet.ts";
export * from "./lib/nets/onet.ts";
export { fromFaceApiTensors, toFaceApiTensors } from "./lib/codecs/faceapi_names.ts";
export * from "./lib/codecs/lz4_frame.ts";
export * from "./lib/codecs/joblib.ts";
export * from "./lib/codecs/joblib_write.ts";
export * from "./lib/codecs/tfjs_weights.ts";
export * from "./lib/codecs/tfjs_net_weights.ts";
export * from "./lib/codecs/weights_codec.ts";
export * from "./pipelines/weights_source.ts";
export * from "./pipelines/weight_stages.ts";

// Geometry and images
export type * from "./lib/face.ts";
export { KEYPOINT_NAMES } from "./lib/face.ts";
export type * from "./lib/image.ts";
export { type Candidates, selectCandidates } from "./lib/candidates.ts";
export * from "./lib/nms.ts";
export { type PyramidLevel, pyramidLevels } from "./lib/pyramid.ts";
export * from "./lib/parity.ts";

// Alignment
export * from "./lib/align/affine.ts";
export * from "./lib/align/similarity.ts";
export * from "./lib/align/templates.ts";
export * from "./lib/align/warp.ts";
export * from "./lib/align/align_face.ts";
export * from "./lib/align/crop.ts";

// Annotations and evaluation
export type * from "./lib/annotations/landmark_annotation.ts";
export * from "./lib/annotations/mtfl.ts";
export * from "./lib/annotations/cnn_facepoint.ts";
export * from "./lib/eval/wider_gt.ts";
export * from "./lib/eval/wider_splits.ts";
export * from "./lib/eval/wider_ap.ts";
export * from "./lib/eval/landmarks.ts";
export * from "./lib/eval/pr_plot.ts";

// Stages and cascades
export * from "./pipelines/options.ts";
export type { CascadeState, CropBatch, LevelImage, Stage } from "./pipelines/state.ts";
export {
  type ImageInput,
  type LoadedImage,
  loadImage,
  type LoadOptions,
  loadScaledImage,
  type Orientation,
  type TensorImage,
} from "./pipelines/stages/load.ts";
export { pyramid, pyramidPlan } from "./pipelines/stages/pyramid.ts";
export { type LevelRunner, propose, proposeWith } from "./pipelines/stages/propose.ts";
export { crop, cropPixels, type CropStageOptions } from "./pipelines/stages/crop.ts";
export { type CropRunner, localCrops } from "./pipelines/stages/crop_runner.ts";
export * from "./pipelines/stages/refine.ts";
export { outputCrops, outputWith } from "./pipelines/stages/output.ts";
export { withFlip } from "./pipelines/stages/flip.ts";
export { withRotations } from "./pipelines/stages/rotations.ts";
export { landmarksOption } from "./pipelines/stages/refined_landmarks.ts";
export {
  isRotation,
  rotateImage,
  type Rotation,
  ROTATIONS,
  unrotateCandidates,
} from "./lib/rotation.ts";
export {
  LANDMARK_PADDING,
  type LandmarkStageOptions,
  refineLandmarks,
  refineLandmarksWith,
} from "./pipelines/stages/landmarks.ts";
export {
  type CascadeTensors,
  dedupe,
  type Detection,
  faceAndLandmarks,
  faceOnly,
  output,
  refine,
  runCascade,
  sequence,
} from "./pipelines/cascade.ts";
export {
  type CascadeName,
  createDetector,
  type Detector,
  type DetectorOptions,
} from "./pipelines/detector.ts";
export { type NetPool, startNetPool } from "./pipelines/parallel/pool.ts";
export { type ImageLoader, startImageLoader } from "./pipelines/parallel/loader.ts";
export {
  createWorkerDetector,
  type WorkerDetectorOptions,
} from "./pipelines/parallel/worker_detector.ts";

// Training: annotations, datasets, losses, the loop (the same nets and stages as detection)
export * from "./lib/annotations/json.ts";
export { type AdamConfig, makeAdam } from "./lib/train/adam.ts";
export { mirrorSample } from "./lib/train/augment.ts";
export { decodeCheckpoint, encodeCheckpoint } from "./lib/train/checkpoint_format.ts";
export { initWeights } from "./lib/train/init_weights.ts";
export {
  type LossOptions,
  mtcnnLoss,
  ohemMask,
  TASK_WEIGHTS,
  type TaskWeights,
} from "./lib/train/losses.ts";
export * from "./lib/train/lr_schedule.ts";
export { cropPatch } from "./lib/train/patch.ts";
export { derivePrng, makePrng, type Prng } from "./lib/train/prng.ts";
export { reframe, type ReframeRange } from "./lib/train/reframe.ts";
export { labelForIou, sampleCrops } from "./lib/train/samples.ts";
export {
  decodeShard,
  encodeShard,
  type ShardEntry,
  type ShardIndex,
} from "./lib/train/shard_format.ts";
export { type EpochRecord, loadCheckpoint } from "./pipelines/train/checkpoint.ts";
export * from "./pipelines/train/evaluate_cascade.ts";
export {
  generateMinedSet,
  type MinedCounts,
  type MineOptions,
} from "./pipelines/train/gen_mined.ts";
export { generatePnetSet, type GenOptions } from "./pipelines/train/gen_pnet.ts";
export * from "./pipelines/train/net_weights_io.ts";
export {
  type Dataset,
  epochBatches,
  type HostBatch,
  openDataset,
} from "./pipelines/train/shard_reader.ts";
export * from "./pipelines/train/train_net.ts";
export { loadTrainingImages } from "./pipelines/train/training_images.ts";
export type { ValMetrics } from "./pipelines/train/train_step.ts";
export { registerWasmGradKernels } from "./pipelines/train/wasm_grad_kernels.ts";
export {
  channelGroups,
  installWasmConvKernels,
  setWasmConvKernels,
  wasmConvKernels,
} from "./lib/kernels/wasm_conv.ts";

// Image headers, EXIF orientation, downscaling
export { readExifOrientation, readTiffOrientation } from "./lib/exif.ts";
export { orientRgb } from "./lib/orientation.ts";
export { areaDownscale, fitToPixels } from "./lib/downscale.ts";
export {
  type ImageFormat,
  type ImageHeader,
  type ImageSize,
  readImageHeader,
  readImageSize,
  sniffImageFormat,
} from "./lib/image_header.ts";
export { rescaleFaces } from "./pipelines/faces.ts";
export { type SummedAreaTable, summedAreaTable } from "./lib/area_resample.ts";

// Edges: backend, decoding, drawing
export * from "./pipelines/edge/backend.ts";
export { decodeRgb } from "./pipelines/edge/decode.ts";
export * from "./pipelines/edge/draw.ts";
export * from "./pipelines/edge/atomic.ts";
export {
  readAnyNetWeightsFile,
  readNetWeightsFile,
  type WeightsFormat,
  weightsFormatOf,
  writeNetWeightsFile,
  type WriteWeightsOptions,
} from "./pipelines/edge/weights_files.ts";
