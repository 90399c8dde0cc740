/**
 * A cascade of your own: the classic stages plus one of ours that keeps only faces wider than
 * 60 px before ONet, so ONet runs on fewer crops. Any `(state) => TaskResult` is a stage.
 *
 *   deno run --allow-read --allow-ffi --allow-env --allow-sys examples/custom_cascade.ts photo.jpg
 */
import * as TE from "fp-ts/TaskEither.js";
import {
  createDetector,
  loadDefaultWeights,
  output,
  propose,
  pyramid,
  refine,
  selectCandidates,
  type Stage,
  useBackend,
} from "../mod.ts";

const path = Deno.args[0];
if (!path) {
  console.error("usage: give the path of an image");
  Deno.exit(2);
}

/** Keeps the candidates at least `min` px wide. */
const wideOnly = (min: number): Stage => (state) => {
  const c = state.candidates;
  const keep = [];
  for (let i = 0; i < c.count; i++) if (c.boxes[4 * i + 2] - c.boxes[4 * i] >= min) keep.push(i);
  return TE.right({ ...state, candidates: selectCandidates(c, keep) });
};

await useBackend("auto")();
const weights = await loadDefaultWeights();
if (weights._tag === "Left") throw new Error(weights.left.message);
const detector = createDetector(weights.right, {
  stages: (t) => [pyramid, propose(t.pnet), refine(t.rnet), wideOnly(60), output(t.onet)],
});
if (detector._tag === "Left") throw new Error(detector.left.message);
const result = await detector.right.detect(path);
if (result._tag === "Right") {
  console.log(`${result.right.faces.length} faces at least 60 px wide`);
  console.log(JSON.stringify(result.right.timings));
} else console.error(`error: ${result.left.message}`);
detector.right.dispose();
