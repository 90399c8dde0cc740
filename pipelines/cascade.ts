/**
 * The preset cascades, built from the detection options: `faceAndLandmarks` (P, R, O) and
 * `faceOnly` (P, R), each inside the flip stage when the `flip` option asks for it, then the
 * landmark stage with `landmarks: "refined"` (P, R, O only), all inside the rotations stage when
 * the `rotations` option lists more than the image as it is.
 *
 * @module
 */
import { cascade } from "./compose.ts";
import type { CropNet, Nets } from "./nets/types.ts";
import { type DetectOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { crop, type CropParams } from "./stages/crop.ts";
import { flip } from "./stages/flip.ts";
import { refineLandmarks } from "./stages/landmarks.ts";
import { rotations } from "./stages/rotations.ts";
import { output } from "./stages/output.ts";
import { propose, type ProposeParams } from "./stages/propose.ts";
import { pyramid, type PyramidParams } from "./stages/pyramid.ts";
import { type NetStageParams, refine } from "./stages/refine.ts";
import type { CandidatePhase, CandidateState, ImageState, Stage } from "./state.ts";

/**
 * `inner`, inside the flip stage when the options ask for it, followed by the landmark stage on
 * `landmarkNet` when given and `landmarks` is `"refined"`, inside the rotations stage when
 * `rotations` asks for turns; a stage failing with bad options.
 */
const withOptions = <P extends CandidatePhase>(
  options: DetectOptions,
  build: (p: ReturnType<typeof stageParams>) => Stage<ImageState, CandidateState<P>>,
  landmarkNet?: CropNet<"onet">,
): Stage<ImageState, CandidateState<P>> => {
  const o = resolveOptions(options);
  if (o._tag === "Left") return () => Promise.resolve(o);
  const inner = build(stageParams(o.right));
  const flipped = o.right.flip ? flip(inner, { nms: o.right.nmsOutput }) : inner;
  const refined = landmarkNet && o.right.landmarks === "refined"
    ? cascade(flipped, refineLandmarks(landmarkNet)) as Stage<ImageState, CandidateState<P>>
    : flipped;
  const turns = o.right.rotations;
  return turns.length === 1 && turns[0] === 0
    ? refined
    : rotations(refined, { angles: turns, nms: o.right.nmsOutput });
};

/** The stage parameters that the detection options give. */
export const stageParams = (o: ResolvedOptions): {
  pyramid: PyramidParams;
  propose: ProposeParams;
  crop: CropParams;
  refine: NetStageParams;
  output: NetStageParams;
} => ({
  pyramid: { minFaceSize: o.minFaceSize, scaleFactor: o.scaleFactor },
  propose: {
    threshold: o.thresholds[0],
    nmsPerScale: o.nmsPerScale,
    nmsAcrossScales: o.nmsAcrossScales,
  },
  crop: { padding: o.cropPadding },
  refine: { threshold: o.thresholds[1], nms: o.nmsRefine },
  output: { threshold: o.thresholds[2], nms: o.nmsOutput },
});

/**
 * The classic cascade: pyramid, PNet, crop, RNet, crop, ONet (in the flip stage with the
 * `flip` option; then the landmark stage on `nets.landmarkOnet`, default `nets.onet`, with
 * `landmarks: "refined"`; all in the rotations stage with `rotations`). Faces with boxes,
 * confidence and landmarks. The options give every stage's parameters (defaults as
 * `createDetector`'s).
 *
 * @example
 * ```ts
 * import { cascade, faceAndLandmarks, localNets } from "@mtcnn/mtcnn/stages";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const nets = localNets(w.right);
 *   if (nets._tag === "Right") {
 *     const strict = faceAndLandmarks(nets.right, { thresholds: [0.7, 0.8, 0.9] });
 *     nets.right.dispose();
 *   }
 * }
 * ```
 */
export const faceAndLandmarks = (
  nets: Pick<Nets, "pnet" | "rnet" | "onet" | "landmarkOnet">,
  options: DetectOptions = {},
): Stage<ImageState, CandidateState<"faces">> =>
  withOptions(
    options,
    (p) =>
      cascade(
        pyramid(p.pyramid),
        propose(nets.pnet, p.propose),
        crop(24, p.crop),
        refine(nets.rnet, p.refine),
        crop(48, p.crop),
        output(nets.onet, p.output),
      ),
    nets.landmarkOnet ?? nets.onet,
  );

/**
 * Pyramid, PNet, crop and RNet only (in the flip stage with the `flip` option, in the rotations
 * stage with `rotations`; `landmarks` does not apply): faster, boxes and confidence without
 * landmarks. Detection ends with the overlap suppression ONet would
 * have done, so each face is found once.
 *
 * @example
 * ```ts
 * import { faceOnly, localNets } from "@mtcnn/mtcnn/stages";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const nets = localNets(w.right);
 *   if (nets._tag === "Right") {
 *     const fast = faceOnly(nets.right, { minFaceSize: 40 });
 *     nets.right.dispose();
 *   }
 * }
 * ```
 */
export const faceOnly = (
  nets: Pick<Nets, "pnet" | "rnet">,
  options: DetectOptions = {},
): Stage<ImageState, CandidateState<"refined">> =>
  withOptions(options, (p) =>
    cascade(
      pyramid(p.pyramid),
      propose(nets.pnet, p.propose),
      crop(24, p.crop),
      refine(nets.rnet, p.refine),
    ));
