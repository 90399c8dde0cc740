/**
 * Rotation test-time augmentation: runs stages on the image turned by each angle of the
 * `rotations` option (quarter turns), maps every turn's faces back to the image and merges
 * them (intersection over the smaller box, `nmsOutput`, the best score kept). Each face then
 * says which turn found it. With the default, `[0]`, the stages run once on the image as it is.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { summedAreaTable } from "../../lib/area_resample.ts";
import {
  type Candidates,
  concatCandidates,
  NO_CANDIDATES,
  selectCandidates,
} from "../../lib/candidates.ts";
import type { MtcnnError } from "../../lib/errors.ts";
import { nms } from "../../lib/nms.ts";
import type { TaskResult } from "../../lib/result.ts";
import { rotateImage, type Rotation, unrotateCandidates } from "../../lib/rotation.ts";
import type { CascadeState, Stage } from "../state.ts";

const run = (stages: readonly Stage[], s: CascadeState) =>
  stages.reduce<Promise<E.Either<MtcnnError, CascadeState>>>(
    async (acc, stage) => {
      const r = await acc;
      return r._tag === "Left" ? r : stage(r.right)();
    },
    Promise.resolve(E.right(s)),
  );

/**
 * The state of the image turned by `angle`: the decoded pixels are turned (no new decode),
 * with their own summed-area table (in shared memory when the original's is, for worker pools).
 */
const turnedState = (state: CascadeState, angle: Rotation): CascadeState => {
  if (angle === 0) return state;
  const image = rotateImage(state.image, angle);
  const shared = state.sat.sums.buffer instanceof SharedArrayBuffer;
  return {
    ...state,
    image,
    sat: summedAreaTable(image, shared),
    levels: [],
    candidates: NO_CANDIDATES,
    crops: undefined,
    timings: {},
  };
};

/** Candidates of one turn in the image's coordinates, each tagged with the turn. */
const tagged = (c: Candidates, angle: Rotation, width: number, height: number): Candidates => ({
  ...unrotateCandidates(c, angle, width, height),
  rotations: new Int16Array(c.count).fill(angle),
});

/**
 * Runs `stages` on the image turned by each angle of the `rotations` option and merges the
 * faces, mapped back to the image. Use it outermost (around flip and the landmark stage): each
 * turn's faces are upright where the nets see them.
 *
 * @example
 * ```ts
 * import { pyramid, withRotations } from "@mtcnn/mtcnn";
 * const stage = withRotations([pyramid]);
 * console.log(typeof stage); // "function"
 * ```
 */
export const withRotations =
  (stages: readonly Stage[]): Stage =>
  (state: CascadeState): TaskResult<MtcnnError, CascadeState> =>
  async () => {
    const angles = state.options.rotations;
    if (angles.length === 1 && angles[0] === 0) return run(stages, state);
    const { width, height } = state.image;
    const found: Candidates[] = [];
    let last: CascadeState = state;
    const timings: Record<string, number> = { ...state.timings };
    for (const angle of angles) {
      const t0 = performance.now();
      const turned = turnedState(state, angle);
      const prepare = performance.now() - t0;
      const r = await run(stages, turned);
      if (r._tag === "Left") return r;
      found.push(tagged(r.right.candidates, angle, width, height));
      if (angle === 0) last = r.right;
      const own = angle === 0 ? state.timings : {};
      for (const [k, v] of Object.entries(r.right.timings)) {
        timings[k] = (timings[k] ?? 0) + v - (own[k] ?? 0);
      }
      timings.rotate = (timings.rotate ?? 0) + prepare;
    }
    const all = concatCandidates(found);
    const keep = nms(all.boxes, all.scores, all.count, state.options.nmsOutput, "min");
    return E.right({
      ...last,
      image: state.image,
      sat: state.sat,
      levels: angles.includes(0) ? last.levels : [],
      candidates: selectCandidates(all, keep),
      crops: undefined,
      timings,
    });
  };
