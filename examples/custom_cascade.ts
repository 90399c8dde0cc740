/**
 * A cascade of your own: the classic stages plus one of ours that keeps only faces wider than
 * 60 px before ONet, so ONet runs on fewer crops. Any typed `(state) => Promise<Result>` is a
 * stage; the same list runs in this thread or on the detector's workers.
 *
 *   deno run --allow-read --allow-ffi --allow-env --allow-sys examples/custom_cascade.ts photo.jpg
 */
import * as E from "fp-ts/Either.js";
import { createDetector } from "../mod.ts";
import {
  type CandidateState,
  cascade,
  crop,
  output,
  propose,
  pyramid,
  refine,
  type Stage,
} from "../stages.ts";

const path = Deno.args[0] ?? "fixtures/faces/group_640x480.jpg";

/** Keeps the candidates at least `min` px wide, in whatever phase they are. */
const wideOnly = <P extends CandidateState>(min: number): Stage<P, P> => (state) => {
  const c = state.candidates;
  const keep: number[] = [];
  for (let i = 0; i < c.count; i++) if (c.boxes[4 * i + 2] - c.boxes[4 * i] >= min) keep.push(i);
  const boxes = new Float64Array(keep.flatMap((i) => [...c.boxes.subarray(4 * i, 4 * i + 4)]));
  const scores = Float64Array.from(keep, (i) => c.scores[i]);
  return Promise.resolve(E.right({ ...state, candidates: { count: keep.length, boxes, scores } }));
};

const detector = await createDetector({
  workers: 2,
  stages: (nets, o) =>
    cascade(
      pyramid({ minFaceSize: o.minFaceSize }),
      propose(nets.pnet),
      crop(24),
      refine(nets.rnet),
      wideOnly<CandidateState<"refined">>(60),
      crop(48),
      output(nets.onet),
    ),
});
if (detector._tag === "Left") throw new Error(detector.left.message);
const result = await detector.right.detect(path);
if (result._tag === "Right") {
  console.log(`${result.right.faces.length} faces at least 60 px wide`);
  console.log(JSON.stringify(result.right.timings));
} else console.error(`error: ${result.left.message}`);
detector.right.dispose();
