import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { type Candidates, squareBoxes } from "../lib/candidates.ts";
import { useBackend } from "../mod.ts";
import {
  type CandidateState,
  cascade,
  crop,
  type CropNet,
  faceAndLandmarks,
  localNet,
  refineLandmarks,
} from "../stages.ts";
import { cropPixels } from "../pipelines/nets/crop_pixels.ts";
import { imageState } from "../pipelines/stages/load.ts";
import { run as trainEvaluate } from "../cli/train_evaluate.ts";
import { defaultWeights, HAS_SHARED, makeDetector, noteSharedSkip, sharedData } from "./_shared.ts";
import { GROUP, IVAN } from "./_faces.ts";

noteSharedSkip("landmark_stage_test.ts");

/** A 64x64 state with the given candidates (pixels from a fixed pattern). */
const stateWith = (c: Candidates): CandidateState<"faces"> => {
  const data = new Uint8Array(64 * 64 * 3).map((_, i) => (i * 37) % 251);
  const image = { width: 64, height: 64, data };
  const loaded = { image, width: 64, height: 64, scaleX: 1, scaleY: 1, orientation: 1 as const };
  return { ...imageState(loaded, false, 0), phase: "faces", candidates: c };
};

/** An ONet that records its batches and answers x = 0.5, y = 0.25 of the crop for each point. */
const spyRunner = (seen: Float32Array[]): CropNet<"onet"> => ({
  net: "onet",
  size: 48,
  run: (batch) => {
    seen.push(cropPixels(batch));
    const lm = new Float32Array(10 * batch.count);
    for (let i = 0; i < batch.count; i++) {
      lm.fill(0.5, 10 * i, 10 * i + 5).fill(0.25, 10 * i + 5, 10 * i + 10);
    }
    const bbox = new Float32Array(4 * batch.count), prob = new Float32Array(2 * batch.count);
    return Promise.resolve({ landmarks: lm, bbox, prob });
  },
});

const TWO: Candidates = {
  count: 2,
  boxes: Float64Array.of(10, 12, 40, 50, -5, 30, 20, 70),
  scores: Float64Array.of(0.99, 0.9),
  landmarks: new Float64Array(20).fill(7),
};

/** True when two crop batches hold the same values (without printing 13,824 numbers). */
const same = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

Deno.test("refineLandmarks() cuts zero-padded crops as crop(48) does and places points in the squared box", async () => {
  const state = stateWith(TWO); // the cascade clamps (the default); the stage pads with zeros
  const seen: Float32Array[] = [];
  const r = await refineLandmarks(spyRunner(seen))(state);
  assert(r._tag === "Right");
  if (r._tag !== "Right") return;
  const cut = await crop(48, { padding: "zeros" })(state);
  assert(cut._tag === "Right" && cut.right.crops !== undefined);
  if (cut._tag !== "Right") return;
  assertEquals(seen.length, 1);
  assert(same(seen[0], cropPixels(cut.right.crops!)), "same pixels as crop(48) with zeros");
  const c = r.right.candidates;
  assertEquals(c.boxes, TWO.boxes, "boxes kept");
  assertEquals(c.scores, TWO.scores, "scores kept");
  const sq = squareBoxes(TWO.boxes, 2);
  for (let i = 0; i < 2; i++) {
    const side = sq[4 * i + 2] - sq[4 * i] + 1;
    for (let k = 0; k < 5; k++) {
      assertEquals(c.landmarks![10 * i + 2 * k], sq[4 * i] - 1 + 0.5 * side);
      assertEquals(c.landmarks![10 * i + 2 * k + 1], sq[4 * i + 1] - 1 + 0.25 * side);
    }
  }
  assert(r.right.timings.landmarks >= 0);
});

Deno.test('refineLandmarks({ padding: "clamp" }) cuts the clamped crops, not the zero-padded ones', async () => {
  const state = stateWith(TWO); // the second box leaves the image: the paddings differ
  const seen: Float32Array[] = [];
  const r = await refineLandmarks(spyRunner(seen), { padding: "clamp" })(state);
  assert(r._tag === "Right");
  const clamped = await crop(48)(state);
  const zeros = await crop(48, { padding: "zeros" })(state);
  assert(clamped._tag === "Right" && zeros._tag === "Right");
  if (clamped._tag !== "Right" || zeros._tag !== "Right") return;
  assert(same(seen[0], cropPixels(clamped.right.crops!)), "same pixels as crop(48) clamping");
  assert(!same(seen[0], cropPixels(zeros.right.crops!)), "not the zero-padded crop");
});

Deno.test("refineLandmarks() keeps the landmarks of a box wholly outside the image, drops it when it had none", async () => {
  const outside: Candidates = {
    count: 2,
    boxes: Float64Array.of(10, 12, 40, 50, 100, 100, 130, 130),
    scores: Float64Array.of(0.99, 0.9),
    landmarks: new Float64Array(20).fill(7),
  };
  const seen: Float32Array[] = [];
  const a = await refineLandmarks(spyRunner(seen))(stateWith(outside));
  assert(a._tag === "Right");
  if (a._tag !== "Right") return;
  assertEquals(a.right.candidates.count, 2);
  assertEquals(Array.from(a.right.candidates.landmarks!.subarray(10)), new Array(10).fill(7));
  assert(a.right.candidates.landmarks![0] !== 7, "the inside box got new landmarks");
  const bare = { ...outside, landmarks: undefined };
  const b = await refineLandmarks(spyRunner(seen))(stateWith(bare));
  assert(b._tag === "Right");
  if (b._tag !== "Right") return;
  assertEquals(b.right.candidates.count, 1);
  assertEquals(b.right.candidates.scores, Float64Array.of(0.99));
  assertEquals(b.right.candidates.landmarks!.length, 10);
  const none = stateWith({ count: 0, boxes: new Float64Array(0), scores: new Float64Array(0) });
  const c = await refineLandmarks(spyRunner(seen))(none);
  assert(c._tag === "Right" && c.right.candidates.count === 0, "no candidates: none");
  assertEquals(seen.length, 2, "no net run without candidates");
});

Deno.test("refineLandmarks() runs an ONet on the crops without leaking tensors", async () => {
  await useBackend((Deno.env.get("MTCNN_BACKEND") ?? "auto") as "auto");
  const lm = localNet("onet", (await defaultWeights()).onet);
  assert(lm._tag === "Right");
  if (lm._tag !== "Right") return;
  const stage = refineLandmarks(lm.right);
  const state = stateWith(TWO);
  const before = tf.memory().numTensors;
  const r = await stage(state);
  assertEquals(tf.memory().numTensors, before);
  assert(r._tag === "Right");
  if (r._tag !== "Right") return;
  assert(r.right.candidates.landmarks!.every(Number.isFinite));
  lm.right.dispose();
});

Deno.test({
  name: "a landmark stage after the cascade keeps every box and score and moves only the points",
  fn: async () => {
    const w = await defaultWeights();
    const lm = localNet("onet", w.onet);
    if (lm._tag === "Left") throw new Error(lm.left.message);
    const plain = await makeDetector();
    const staged = await makeDetector({
      stages: (n, o) => cascade(faceAndLandmarks(n, o), refineLandmarks(lm.right)),
    });
    const before = tf.memory().numTensors;
    for (const img of [IVAN, GROUP]) {
      const a = await plain.detect(img);
      const b = await staged.detect(img);
      assert(a._tag === "Right" && b._tag === "Right");
      if (a._tag !== "Right" || b._tag !== "Right") return;
      assert(a.right.faces.length > 0);
      assertEquals(
        b.right.faces.map((f) => [f.box, f.confidence]),
        a.right.faces.map((f) => [f.box, f.confidence]),
      );
      assert(b.right.timings.landmarks > 0);
      // The pretrained ONet on the regressed box: the same points within a few pixels.
      for (const [i, f] of a.right.faces.entries()) {
        const g = b.right.faces[i];
        for (const [k, p] of Object.entries(f.keypoints!)) {
          const q = g.keypoints![k as keyof typeof g.keypoints];
          const d = Math.hypot(p[0] - q[0], p[1] - q[1]);
          assert(d < 0.2 * f.box[2], `${img} face ${i} ${k}: ${d.toFixed(1)} px`);
        }
      }
    }
    assertEquals(tf.memory().numTensors, before);
    plain.dispose();
    staged.dispose();
    lm.right.dispose();
  },
});

Deno.test({
  name: "train evaluate --landmark-onet gives the same recall and false positives, other landmarks",
  ignore: !HAS_SHARED,
  fn: async () => {
    const evaluate = async (extra: string[]) => {
      const out: string[] = [];
      const { log, error } = console;
      console.log = (...a: unknown[]) => out.push(a.join(" "));
      console.error = () => {};
      try {
        const args = [
          "--list",
          sharedData("mtfl/testing.txt"),
          "--format",
          "mtfl",
          "--limit",
          "12",
        ];
        assertEquals(await trainEvaluate([...args, ...extra]), 0);
      } finally {
        console.log = log, console.error = error;
      }
      return JSON.parse(out.join(""));
    };
    const a = await evaluate([]);
    const b = await evaluate(["--landmark-onet", "default"]);
    assertEquals([b.recall, b.falsePositivesPerImage, b.landmarks.missRate], [
      a.recall,
      a.falsePositivesPerImage,
      a.landmarks.missRate,
    ]);
    assert(a.landmarks.nmeMean !== b.landmarks.nmeMean);
  },
});

Deno.test("train evaluate refuses --landmark-padding without --landmark-onet", async () => {
  const err: string[] = [];
  const { error } = console;
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await trainEvaluate(["--list", "x.txt", "--landmark-padding", "zeros"]);
    assertEquals(code, 2);
  } finally {
    console.error = error;
  }
  assert(err.join("").includes("--landmark-padding takes clamp or zeros"), err.join(""));
});
