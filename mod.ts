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
export * from "./lib/errors.ts";
export type * from "./lib/result.ts";

// Networks, weights
export * from "./lib/spec.ts";
export * from "./lib/weights/record.ts";
export * from "./lib/weights/default_weights.ts";
export * from "./lib/nets/tensors.ts";
export * from "./lib/nets/pnet.ts";
export * from "./lib/nets/rnet.ts";
export * from "./lib/nets/onet.ts";
export * from "./lib/codecs/faceapi_names.ts";
export * from "./lib/codecs/lz4_frame.ts";
export * from "./lib/codecs/pickle.ts";
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
export * from "./lib/candidates.ts";
export * from "./lib/nms.ts";
export * from "./lib/pyramid.ts";
export * from "./lib/area_resample.ts";
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
export * from "./pipelines/state.ts";
export * from "./pipelines/stages/load.ts";
export * from "./pipelines/stages/pyramid.ts";
export * from "./pipelines/stages/propose.ts";
export * from "./pipelines/stages/crop.ts";
export * from "./pipelines/stages/crop_runner.ts";
export * from "./pipelines/stages/refine.ts";
export * from "./pipelines/stages/output.ts";
export * from "./pipelines/stages/flip.ts";
export * from "./pipelines/cascade.ts";
export * from "./pipelines/detector.ts";
export * from "./pipelines/parallel/pool.ts";
export * from "./pipelines/parallel/worker_detector.ts";

// Edges: backend, decoding, drawing
export * from "./pipelines/edge/backend.ts";
export { decodeRgb, imageToRgb } from "./pipelines/edge/decode.ts";
export * from "./pipelines/edge/draw.ts";
export * from "./pipelines/edge/atomic.ts";
export * from "./pipelines/edge/weights_files.ts";
