/**
 * Face crops: aligned to the ArcFace five-point template (the input of face recognition
 * models), or plain box crops; and the detections drawn on an image.
 *
 * ```ts
 * import { createDetector } from "@mtcnn/mtcnn";
 * import { alignFace } from "@mtcnn/mtcnn/align";
 *
 * const detector = await createDetector();
 * if (detector._tag === "Right") {
 *   const r = await detector.right.detect("photo.jpg", { keepImage: true });
 *   if (r._tag === "Right" && r.right.image && r.right.faces[0]?.keypoints) {
 *     const face = alignFace(r.right.image, r.right.faces[0].keypoints, { size: 112 });
 *     if (face._tag === "Right") console.log(face.right.image.width); // 112
 *   }
 *   detector.right.dispose();
 * }
 * ```
 *
 * @module
 */

export { type AlignedFace, alignFace, type AlignOptions } from "./lib/align/align_face.ts";
export { cropFace, type CropOptions, type CroppedFace } from "./lib/align/crop.ts";
export {
  ARCFACE_SIZE,
  ARCFACE_TEMPLATE_112,
  faceTemplate,
  type TemplateOptions,
} from "./lib/align/templates.ts";
export { estimateSimilarity } from "./lib/align/similarity.ts";
export { type Affine, applyAffine, IDENTITY_AFFINE, invertAffine } from "./lib/align/affine.ts";
export { warpAffine } from "./lib/align/warp.ts";
export { drawFaces, rgbToImage } from "./pipelines/edge/draw.ts";
export type { BoxFormat, Face, Keypoints, Point } from "./lib/face.ts";
export type { RgbImage } from "./lib/image.ts";
export type { Failure, Result, Success } from "./lib/result.ts";
export type { MtcnnError, MtcnnErrorTag } from "./lib/errors.ts";
