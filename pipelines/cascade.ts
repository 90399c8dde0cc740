/**
 * Cascades: an image in, faces out, through any list of stages. The presets are the classic
 * P -> R -> O (`faceAndLandmarks`) and P -> R (`faceOnly`).
 *
 * @module
 */
import * as TE from "fp-ts/TaskEither.js";
import { pipe } from "fp-ts/function.js";
import { summedAreaTable } from "../lib/area_resample.ts";
import { NO_CANDIDATES, rescaleCandidates, selectCandidates } from "../lib/candidates.ts";
import { nms } from "../lib/nms.ts";
import type { MtcnnError } from "../lib/errors.ts";
import type { Face } from "../lib/face.ts";
import type { RgbImage } from "../lib/image.ts";
import type { NetTensors } from "../lib/nets/tensors.ts";
import { onet } from "../lib/nets/onet.ts";
import type { TaskResult } from "../lib/result.ts";
import { candidatesToFaces } from "./faces.ts";
import { type DetectOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { crop } from "./stages/crop.ts";
import { localCrops } from "./stages/crop_runner.ts";
import { withFlip } from "./stages/flip.ts";
import { type ImageInput, loadScaledImage } from "./stages/load.ts";
import { outputCrops } from "./stages/output.ts";
import { propose } from "./stages/propose.ts";
import { pyramid } from "./stages/pyramid.ts";
import { refineCrops } from "./stages/refine.ts";
import { landmarksOption } from "./stages/refined_landmarks.ts";
import { withRotations } from "./stages/rotations.ts";
import type { CascadeState, Stage } from "./state.ts";

/** The result for one image. */
export interface Detection {
  /** Image width in pixels. */
  readonly width: number;
  /** Image height in pixels. */
  readonly height: number;
  /** The faces found, most confident first. */
  readonly faces: readonly Face[];
  /** Milliseconds per stage (decode, pyramid, pnet, crop24, rnet, crop48, onet). */
  readonly timings: Readonly<Record<string, number>>;
}

/**
 * Runs stages one after another; the first failure stops the cascade.
 *
 * @example
 * ```ts
 * import { pyramid, sequence } from "@mtcnn/mtcnn";
 * const twice = sequence([pyramid, pyramid]); // one Stage made of two
 * console.log(typeof twice); // "function"
 * ```
 */
export const sequence = (stages: readonly Stage[]): Stage => (state) =>
  stages.reduce<TaskResult<MtcnnError, CascadeState>>(
    (acc, stage) => pipe(acc, TE.flatMap(stage)),
    TE.right(state),
  );

/**
 * RNet with its crop: `crop(24)` then `refineCrops`.
 *
 * @example
 * ```ts
 * import { createDetector, loadDefaultWeights, propose, pyramid, refine } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const d = createDetector(w.right, { stages: (t) => [pyramid, propose(t.pnet), refine(t.rnet)] });
 *   if (d._tag === "Right") d.right.dispose();
 * }
 * ```
 */
export const refine = (weights: NetTensors<"rnet">): Stage =>
  sequence([crop(24), refineCrops(weights)]);

/**
 * ONet with its crop: `crop(48)` then `outputCrops`.
 *
 * @example
 * ```ts
 * import { createDetector, loadDefaultWeights, output, propose, pyramid, refine } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const d = createDetector(w.right, {
 *     stages: (t) => [pyramid, propose(t.pnet), refine(t.rnet), output(t.onet)],
 *   });
 *   if (d._tag === "Right") d.right.dispose();
 * }
 * ```
 */
export const output = (weights: NetTensors<"onet">): Stage =>
  sequence([crop(48), outputCrops(weights)]);

/** Tensors of the three nets. */
export interface CascadeTensors {
  /** PNet's. */
  readonly pnet: NetTensors<"pnet">;
  /** RNet's. */
  readonly rnet: NetTensors<"rnet">;
  /** ONet's. */
  readonly onet: NetTensors<"onet">;
  /** The landmark stage's ONet (`landmarks: "refined"`). Default: `onet`. */
  readonly landmarkOnet?: NetTensors<"onet">;
}

/**
 * The classic cascade: pyramid, PNet, RNet, ONet (inside {@linkcode withFlip}, which adds the
 * mirror image only with the `flip` option), then the landmark stage on `landmarkOnet` (or
 * `onet`) only with `landmarks: "refined"`, all inside {@linkcode withRotations} (turned copies
 * only with the `rotations` option). Faces with boxes, confidence and landmarks.
 *
 * @example
 * ```ts
 * import { faceAndLandmarks, loadDefaultWeights, toTensors } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const stages = faceAndLandmarks({
 *     pnet: toTensors(w.right.pnet),
 *     rnet: toTensors(w.right.rnet),
 *     onet: toTensors(w.right.onet),
 *   });
 *   console.log(stages.length); // 1: the stages inside withRotations
 * }
 * ```
 */
export const faceAndLandmarks = (t: CascadeTensors): readonly Stage[] => {
  const lm = onet(t.landmarkOnet ?? t.onet);
  return [
    withRotations([
      withFlip([pyramid, propose(t.pnet), refine(t.rnet), output(t.onet)]),
      landmarksOption(localCrops((x) => ({ landmarks: lm(x).landmarks }))),
    ]),
  ];
};

/**
 * A final overlap suppression by intersection over the smaller box (`nmsOutput`, 0.7), as
 * after ONet: RNet alone leaves several boxes per face.
 *
 * @example
 * ```ts
 * import { dedupe, propose, pyramid, refine, type Stage } from "@mtcnn/mtcnn";
 * // A face-only cascade ends with dedupe, as faceOnly() does.
 * const stages = (t: Parameters<typeof propose>[0], r: Parameters<typeof refine>[0]): Stage[] =>
 *   [pyramid, propose(t), refine(r), dedupe];
 * console.log(typeof stages);
 * ```
 */
export const dedupe: Stage = (state): TaskResult<MtcnnError, CascadeState> =>
  TE.right({
    ...state,
    candidates: selectCandidates(
      state.candidates,
      nms(
        state.candidates.boxes,
        state.candidates.scores,
        state.candidates.count,
        state.options.nmsOutput,
        "min",
      ),
    ),
  });

/**
 * Pyramid, PNet and RNet only, then {@linkcode dedupe}: faster, boxes and confidence without
 * landmarks.
 *
 * @example
 * ```ts
 * import { createDetector, loadDefaultWeights } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const d = createDetector(w.right, { cascade: "faceOnly" }); // uses faceOnly()
 *   if (d._tag === "Right") d.right.dispose();
 * }
 * ```
 */
export const faceOnly = (t: Pick<CascadeTensors, "pnet" | "rnet">): readonly Stage[] => [
  withRotations([withFlip([pyramid, propose(t.pnet), refine(t.rnet), dedupe])]),
];

/**
 * The initial state for an RGB image (computes its summed-area table; in shared memory with
 * `shared`, for worker pools).
 */
export const initialState = (
  image: RgbImage,
  options: ResolvedOptions,
  shared = false,
): CascadeState => ({
  image,
  sat: summedAreaTable(image, shared),
  options,
  levels: [],
  candidates: NO_CANDIDATES,
  timings: {},
});

/**
 * Runs a cascade of stages on one image: load, then the stages, then the faces.
 * `sharedMemory` puts the image's summed-area table where worker stages can read it.
 *
 * @example
 * ```ts
 * import { runCascade } from "@mtcnn/mtcnn";
 * const detect = runCascade([]); // no stage: no faces, but the image is loaded and checked
 * const r = await detect(new Uint8Array(0))();
 * console.log(r._tag); // "Left": an empty file is not an image
 * ```
 */
export const runCascade = (
  stages: readonly Stage[],
  options: DetectOptions = {},
  sharedMemory = false,
): (input: ImageInput) => TaskResult<MtcnnError, Detection> =>
(input: ImageInput): TaskResult<MtcnnError, Detection> => {
  const run = sequence(stages);
  return pipe(
    TE.fromEither(resolveOptions(options)),
    TE.flatMap((o) => {
      const t0 = performance.now();
      return pipe(
        loadScaledImage(input, o.maxPixels, { downscale: o.downscaleLargeImages }),
        TE.map((loaded) => ({ loaded, decode: performance.now() - t0 })),
        TE.flatMap(({ loaded, decode }) => {
          const t1 = performance.now();
          const s = initialState(loaded.image, o, sharedMemory);
          return pipe(
            run({ ...s, timings: { decode, prepare: performance.now() - t1 } }),
            TE.map((end) => ({
              width: loaded.width,
              height: loaded.height,
              // Faces found on a downscaled copy are mapped back to the full-size image.
              faces: candidatesToFaces(
                rescaleCandidates(end.candidates, loaded.scaleX, loaded.scaleY),
                loaded.width,
                loaded.height,
                o,
              ),
              timings: end.timings,
            })),
          );
        }),
      );
    }),
  );
};
