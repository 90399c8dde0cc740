/**
 * The rotations stage (test-time augmentation for faces that are not upright): runs a cascade on
 * the image turned clockwise by each angle (quarter turns of the decoded pixels, no new decode),
 * maps every turn's faces back to the image and merges them (intersection over the smaller box,
 * the most confident kept). Each face says which turn found it (`rotation`).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { isSharedTable, summedAreaTable } from "../../lib/area_resample.ts";
import { type Candidates, concatCandidates, selectCandidates } from "../../lib/candidates.ts";
import { mtcnnError } from "../../lib/errors.ts";
import { nms } from "../../lib/nms.ts";
import { isRotation, rotateImage, type Rotation, unrotateCandidates } from "../../lib/rotation.ts";
import { runStage } from "../compose.ts";
import type { CandidatePhase, CandidateState, ImageState, Stage } from "../state.ts";
import { firstError, unitParam } from "./params.ts";

/** Parameters of {@linkcode rotations}. */
export interface RotationParams {
  /** Clockwise turns of the image to run the cascade on, each once. Default [0, 90, 180, 270]. */
  readonly angles?: readonly Rotation[];
  /** Intersection-over-smaller NMS threshold merging the turns' faces. Default 0.7. */
  readonly nms?: number;
}

/**
 * The state of the image turned by `angle`: the decoded pixels turned, with their own summed-area
 * table (in shared memory when the original's is, for worker nets).
 */
const turnedState = (state: ImageState, angle: Rotation): ImageState => {
  if (angle === 0) return state;
  const image = rotateImage(state.image, angle);
  const shared = isSharedTable(state.sat);
  return { ...state, image, sat: summedAreaTable(image, shared), timings: {} };
};

/** Candidates of one turn in the image's coordinates, each tagged with the turn. */
const tagged = (c: Candidates, angle: Rotation, width: number, height: number): Candidates => ({
  ...unrotateCandidates(c, angle, width, height),
  rotations: new Int16Array(c.count).fill(angle),
});

/**
 * Runs `inner` on the image turned clockwise by each of `angles` and merges the faces, mapped
 * back to the image; each candidate keeps its turn (faces get `rotation`). Landmark names
 * follow the face: `left_eye` is the eye on the image's left when the face is upright. Put it
 * outermost (around `flip` and `refineLandmarks`): the nets see each turn's faces upright.
 *
 * @example
 * ```ts
 * import { faceAndLandmarks, localNets, rotations } from "@mtcnn/mtcnn/stages";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const nets = localNets(w.right);
 *   if (nets._tag === "Right") {
 *     const anyWayUp = rotations(faceAndLandmarks(nets.right), { angles: [0, 90, 270] });
 *     nets.right.dispose();
 *   }
 * }
 * ```
 */
export const rotations = <P extends CandidatePhase>(
  inner: Stage<ImageState, CandidateState<P>>,
  params: RotationParams = {},
): Stage<ImageState, CandidateState<P>> => {
  const angles = params.angles ?? [0, 90, 180, 270];
  const iom = params.nms ?? 0.7;
  return async (state) => {
    const bad = firstError(
      unitParam("rotations", "nms", iom),
      Array.isArray(angles) && angles.length > 0 && angles.every(isRotation) &&
        new Set(angles).size === angles.length
        ? undefined
        : mtcnnError(
          "OptionError",
          `rotations: angles must list some of 0, 90, 180, 270 (each once), got ${
            JSON.stringify(angles)
          }`,
        ),
    );
    if (bad) return bad;
    const { width, height } = state.image;
    const found: Candidates[] = [];
    let first: CandidateState<P> | undefined;
    const timings: Record<string, number> = { ...state.timings };
    for (const angle of angles) {
      const t0 = performance.now();
      const turned = turnedState(state, angle);
      timings.rotate = (timings.rotate ?? 0) + performance.now() - t0;
      const r = await runStage(inner, turned);
      if (r._tag === "Left") return r;
      first ??= r.right;
      found.push(tagged(r.right.candidates, angle, width, height));
      const own = angle === 0 ? state.timings : {};
      for (const [k, v] of Object.entries(r.right.timings)) {
        timings[k] = (timings[k] ?? 0) + v - (own[k] ?? 0);
      }
    }
    const all = concatCandidates(found);
    const keep = nms(all.boxes, all.scores, all.count, iom, "min");
    return E.right({
      ...first!,
      image: state.image,
      sat: state.sat,
      candidates: selectCandidates(all, keep),
      timings,
    });
  };
};
