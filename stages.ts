/**
 * The stages of the MTCNN cascade, to compose your own: load -> pyramid -> propose (PNet) ->
 * crop -> refine (RNet) -> crop -> output (ONet), plus the landmark and flip stages. Each stage
 * is a typed step `(state) => Promise<Result>`; its type says which phase it needs and which it
 * gives, so `cascade(...)` with stages in a wrong order, or a crop stage missing, does not
 * compile. Parameters (thresholds, NMS overlaps, padding) are each stage's own arguments.
 *
 * Nets come from {@linkcode localNets} (this thread), or from a detector: `createDetector({
 * stages: (nets, options) => ... })` runs your stages in this thread or on its workers.
 *
 * ```ts
 * import { createDetector } from "@mtcnn/mtcnn";
 * import { cascade, crop, output, propose, pyramid, refine } from "@mtcnn/mtcnn/stages";
 *
 * const detector = await createDetector({
 *   workers: 2,
 *   stages: (nets) =>
 *     cascade(
 *       pyramid({ minFaceSize: 40 }),
 *       propose(nets.pnet),
 *       crop(24),
 *       refine(nets.rnet, { threshold: 0.8 }),
 *       crop(48),
 *       output(nets.onet),
 *     ),
 * });
 * if (detector._tag === "Right") detector.right.dispose();
 * ```
 *
 * @module
 */

export * from "./pipelines/state.ts";
export { cascade } from "./pipelines/compose.ts";
export { load, type LoadParams } from "./pipelines/stages/load.ts";
export { pyramid, type PyramidParams } from "./pipelines/stages/pyramid.ts";
export { propose, type ProposeParams } from "./pipelines/stages/propose.ts";
export { crop, type CropParams } from "./pipelines/stages/crop.ts";
export { type NetStageParams, refine } from "./pipelines/stages/refine.ts";
export { output } from "./pipelines/stages/output.ts";
export {
  LANDMARK_PADDING,
  type LandmarkParams,
  refineLandmarks,
} from "./pipelines/stages/landmarks.ts";
export { flip, type FlipParams } from "./pipelines/stages/flip.ts";
export { type RotationParams, rotations } from "./pipelines/stages/rotations.ts";
export { rotateImage, type Rotation, unrotateCandidates } from "./lib/rotation.ts";
export { faceAndLandmarks, faceOnly } from "./pipelines/cascade.ts";
export type { CropHeads, CropNet, Nets, PNetRunner } from "./pipelines/nets/types.ts";
export {
  localNet,
  localNets,
  type NetOf,
  type OwnedNet,
  type OwnedNets,
} from "./pipelines/nets/local.ts";
export { type ResolvedOptions, resolveOptions } from "./pipelines/options.ts";
export {
  type LoadedImage,
  loadImage,
  type LoadOptions,
  loadScaledImage,
  type Orientation,
} from "./pipelines/edge/load_image.ts";
export { type ImageLoader, startImageLoader } from "./pipelines/parallel/loader.ts";
export type { Candidates } from "./lib/candidates.ts";
export type { SummedAreaTable } from "./lib/area_resample.ts";
export type { PyramidLevel } from "./lib/pyramid.ts";
