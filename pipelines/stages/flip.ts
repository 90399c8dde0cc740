/**
 * Flip test-time augmentation: runs stages on the image and on its mirror image, maps the
 * mirror's faces back and merges both sets (intersection over the smaller box, `nmsOutput`).
 * Off unless the `flip` option is set, so presets can always include it.
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
import type { RgbImage } from "../../lib/image.ts";
import { nms } from "../../lib/nms.ts";
import type { TaskResult } from "../../lib/result.ts";
import type { CascadeState, Stage } from "../state.ts";

/** The image mirrored left to right. */
export const mirrorImage = (img: RgbImage): RgbImage => {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3, d = (y * w + (w - 1 - x)) * 3;
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { width: w, height: h, data: out };
};

/** The landmark order after mirroring: the eyes and the mouth corners swap sides. */
const MIRRORED_POINT = [1, 0, 2, 4, 3];

/**
 * Candidates of the mirror image in the original image's coordinates. A box covers 0-based
 * pixel columns x1 - 1 .. x2 - 1 (the reference's crop convention), landmarks are 0-based.
 */
export const unmirrorCandidates = (c: Candidates, width: number): Candidates => {
  const boxes = new Float64Array(c.boxes.length);
  for (let i = 0; i < c.count; i++) {
    boxes[4 * i] = width - c.boxes[4 * i + 2] + 1;
    boxes[4 * i + 1] = c.boxes[4 * i + 1];
    boxes[4 * i + 2] = width - c.boxes[4 * i] + 1;
    boxes[4 * i + 3] = c.boxes[4 * i + 3];
  }
  let landmarks: Float64Array | undefined;
  if (c.landmarks) {
    landmarks = new Float64Array(c.landmarks.length);
    for (let i = 0; i < c.count; i++) {
      for (let k = 0; k < 5; k++) {
        const from = 10 * i + 2 * MIRRORED_POINT[k];
        landmarks[10 * i + 2 * k] = width - 1 - c.landmarks[from];
        landmarks[10 * i + 2 * k + 1] = c.landmarks[from + 1];
      }
    }
  }
  return { ...c, boxes, landmarks, offsets: undefined };
};

const run = (stages: readonly Stage[], s: CascadeState) =>
  stages.reduce<Promise<E.Either<MtcnnError, CascadeState>>>(
    async (acc, stage) => {
      const r = await acc;
      return r._tag === "Left" ? r : stage(r.right)();
    },
    Promise.resolve(E.right(s)),
  );

/**
 * Runs `stages`, and with the `flip` option also on the mirror image, merging the faces.
 *
 * @example
 * ```ts
 * import { withFlip, pyramid } from "@mtcnn/mtcnn";
 * const stage = withFlip([pyramid]);
 * console.log(typeof stage); // "function"
 * ```
 */
export const withFlip =
  (stages: readonly Stage[]): Stage =>
  (state: CascadeState): TaskResult<MtcnnError, CascadeState> =>
  async () => {
    const a = await run(stages, state);
    if (a._tag === "Left" || !state.options.flip) return a;
    const image = mirrorImage(state.image);
    const shared = state.sat.sums.buffer instanceof SharedArrayBuffer;
    const b = await run(stages, {
      ...state,
      image,
      sat: summedAreaTable(image, shared),
      levels: [],
      candidates: NO_CANDIDATES,
      crops: undefined,
      timings: {},
    });
    if (b._tag === "Left") return b;
    const all = concatCandidates([
      a.right.candidates,
      unmirrorCandidates(b.right.candidates, image.width),
    ]);
    const keep = nms(all.boxes, all.scores, all.count, state.options.nmsOutput, "min");
    const timings = { ...a.right.timings };
    for (const [k, v] of Object.entries(b.right.timings)) timings[k] = (timings[k] ?? 0) + v;
    return E.right({ ...a.right, candidates: selectCandidates(all, keep), timings });
  };
