/**
 * Fine-tuning ONet's landmark head from the pretrained weights on your own annotated faces,
 * then using the result for detection. The same nets and stages as detection do the work.
 *
 *   deno run -A examples/fine_tune.ts faces.json runs/onet
 *
 * `faces.json` is our JSON annotation format (docs/training.md): images with face boxes and
 * five landmarks. The steps are those of `deno task dataset` and `deno task train`.
 */
import { join } from "node:path";
import { createDetector, useBackend } from "../mod.ts";
import { loadDefaultWeights } from "../weights.ts";
import {
  exportNetWeights,
  generateMinedSet,
  loadTrainingImages,
  TASK_WEIGHTS,
  toTensors,
  trainNet,
} from "../train.ts";

const [annotations, out = "runs/onet"] = Deno.args;
if (!annotations) {
  console.error("usage: give a JSON annotation file (and an output folder)");
  Deno.exit(2);
}
const fail = (message: string): never => {
  console.error(`error: ${message}`);
  Deno.exit(1);
};

// On wasm this also installs the gradient kernels training needs.
const backend = await useBackend("auto");
if (backend._tag === "Left") fail(backend.left.message);
const pretrained = await loadDefaultWeights();
if (pretrained._tag === "Left") fail(pretrained.left.message);
const w = pretrained._tag === "Right" ? pretrained.right : fail("no weights");

// 1. Landmark samples mined by the pretrained PNet and RNet, cut as the cascade cuts them.
const images = await loadTrainingImages(annotations, "json");
if (images._tag === "Left") fail(images.left.message);
const set = join(out, "set");
const mined = await generateMinedSet(images._tag === "Right" ? images.right : [], {
  net: "onet",
  out: set,
  seed: 1,
  pnet: toTensors(w.pnet),
  rnet: toTensors(w.rnet),
  counts: { neg: 0, pos: 0, part: 0, landmark: 3, jitter: 0 },
});
if (mined._tag === "Left") fail(mined.left.message);

// 2. Only the landmark head learns, so detection (boxes and scores) stays exactly as it was.
const trained = await trainNet({
  net: "onet",
  data: set,
  out,
  epochs: 3,
  batchSize: 128,
  seed: 1,
  lr: { kind: "constant", base: 0.001 },
  loss: { weights: { ...TASK_WEIGHTS.onet, cls: 0, box: 0 } },
  init: w.onet,
  trainable: ["fc6-2/kernel", "fc6-2/bias"],
  flip: true,
  resume: true, // run it again after an interruption: it continues where it stopped
});
if (trained._tag === "Left") fail(trained.left.message);
const onet = trained._tag === "Right" ? trained.right.weights : w.onet;
const files = await exportNetWeights(onet, join(out, "onet"));
if (files._tag === "Right") console.log(`wrote ${files.right.join(", ")}`);

// 3. Detection with the fine-tuned ONet.
const detector = await createDetector({ weights: { ...w, onet } });
if (detector._tag === "Right") {
  console.log("detector ready with the fine-tuned ONet");
  detector.right.dispose();
}
