/**
 * The `landmarks` option as a stage: the landmark stage ({@linkcode refineLandmarksWith}) when
 * the option is `"refined"`, nothing otherwise, so cascades and presets can always include it.
 *
 * @module
 */
import * as TE from "fp-ts/TaskEither.js";
import type { MtcnnError } from "../../lib/errors.ts";
import type { TaskResult } from "../../lib/result.ts";
import type { CascadeState, Stage } from "../state.ts";
import type { CropRunner } from "./crop_runner.ts";
import { refineLandmarksWith } from "./landmarks.ts";

/**
 * Runs the landmark stage on `run` (an ONet on 48x48 crops; its landmark head is used) when the
 * `landmarks` option is `"refined"`; passes the state on unchanged otherwise. Boxes, scores and
 * the faces are never changed; put it after the output stage.
 *
 * @example
 * ```ts
 * import { landmarksOption, loadDefaultWeights, localCrops, onet, toTensors } from "@mtcnn/mtcnn";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const net = onet(toTensors(w.right.onet));
 *   const stage = landmarksOption(localCrops((x) => ({ landmarks: net(x).landmarks })));
 *   console.log(typeof stage); // "function"
 * }
 * ```
 */
export const landmarksOption = (run: CropRunner<"landmarks">): Stage => {
  const refine = refineLandmarksWith(run);
  return (state: CascadeState): TaskResult<MtcnnError, CascadeState> =>
    state.options.landmarks === "refined" ? refine(state) : TE.right(state);
};
