/**
 * Evaluation: WIDER FACE average precision with the official protocol (easy / medium / hard),
 * landmark error over the inter-ocular distance (AFLW, MTFL), parity of two detectors' faces,
 * and precision-recall plots as SVG. Parsers for the lists these use.
 *
 * ```ts
 * import { vocAp } from "@mtcnn/mtcnn/eval";
 * console.log(vocAp([0.5, 1], [1, 0.5])); // the area under a two-point curve
 * ```
 *
 * @module
 */

export * from "./lib/eval/wider_gt.ts";
export * from "./lib/eval/wider_splits.ts";
export * from "./lib/eval/wider_ap.ts";
export * from "./lib/eval/landmarks.ts";
export * from "./lib/eval/pr_plot.ts";
export * from "./lib/eval/parity.ts";
export type * from "./lib/annotations/landmark_annotation.ts";
export * from "./lib/annotations/mtfl.ts";
export * from "./lib/annotations/cnn_facepoint.ts";
export type { Point } from "./lib/face.ts";
export type { Failure, Result, Success } from "./lib/result.ts";
export type { MtcnnError, MtcnnErrorTag } from "./lib/errors.ts";
