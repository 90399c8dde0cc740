import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import { squareBoxes } from "../lib/candidates.ts";
import { useBackend } from "../mod.ts";
import { cascade, type CropNet, faceAndLandmarks, localNet, refineLandmarks } from "../stages.ts";
import {
  derivePrng,
  disposeTensors,
  generateMinedSet,
  loadTrainingImages,
  type MineOptions,
  reframe,
  toTensors,
  type TrainingImage,
} from "../train.ts";
import { fnv1a, type Sample, shardSample } from "../lib/train/shard_format.ts";
import type { CropPadding } from "../mod.ts";
import { cropPixels } from "../pipelines/nets/crop_pixels.ts";
import { decodeRgb } from "../pipelines/edge/decode.ts";
import { placeLandmarks } from "../pipelines/stages/output.ts";
import { openDataset, readShard } from "../pipelines/edge/train/shard_reader.ts";
import { defaultWeights, HAS_SHARED, makeDetector, noteSharedSkip, sharedData } from "./_shared.ts";

noteSharedSkip("train_mine_final_test.ts");
await useBackend((Deno.env.get("MTCNN_BACKEND") ?? "auto") as "auto");

const LIST = "mtfl/cnn_facepoint_trainImageList.txt";
const SEED = 5;

/** Every sample of the set in `dir`. */
const samplesOf = async (dir: string): Promise<Sample[]> => {
  const ds = await openDataset(dir);
  if (ds._tag === "Left") throw new Error(ds.left.message);
  const out: Sample[] = [];
  for (let i = 0; i < ds.right.index.shards.length; i++) {
    const s = await readShard(ds.right, i);
    if (s._tag === "Left") throw new Error(s.left.message);
    for (let k = 0; k < s.right.count; k++) out.push(shardSample(s.right, k));
  }
  return out;
};

/** Mines a landmark-only ONet set after the full cascade into a new folder; returns it. */
const mine = async (images: readonly TrainingImage[], extra: Partial<MineOptions> = {}) => {
  const w = await defaultWeights();
  const t = { pnet: toTensors(w.pnet), rnet: toTensors(w.rnet), onet: toTensors(w.onet) };
  const out = await Deno.makeTempDir({ prefix: "mtcnn_final_" });
  try {
    const before = tf.memory().numTensors;
    const r = await generateMinedSet(images, {
      net: "onet",
      pnet: t.pnet,
      rnet: t.rnet,
      afterOnet: t.onet,
      counts: { neg: 0, pos: 0, part: 0, landmark: 1, jitter: 0 },
      seed: SEED,
      // The squared final box against the tighter CNN_FacePoint box (docs/training.md).
      landmarkIou: 0.25,
      out,
      ...extra,
    });
    assertEquals(tf.memory().numTensors, before, "tensors after mining");
    if (r._tag === "Left") throw new Error(r.left.message);
    return { out, samples: await samplesOf(out) };
  } finally {
    disposeTensors(t.pnet), disposeTensors(t.rnet), disposeTensors(t.onet);
  }
};

const trainingImages = async (n: number): Promise<TrainingImage[]> => {
  const imgs = await loadTrainingImages(sharedData(LIST), "cnn_facepoint");
  if (imgs._tag === "Left") throw new Error(imgs.left.message);
  return imgs.right.slice(0, n);
};

Deno.test({
  name:
    "generateMinedSet({ afterOnet }) cuts exactly the landmark stage's crop of the final box, either padding",
  ignore: !HAS_SHARED,
  fn: async () => {
    const w = await defaultWeights();
    const lt = localNet("onet", w.onet);
    if (lt._tag === "Left") throw new Error(lt.left.message);
    const net = lt.right;
    let seen: { pixels: Float32Array; rects: Int32Array } | undefined;
    const recording: CropNet<"onet"> = {
      ...net,
      run: (batch) => {
        seen = { pixels: cropPixels(batch), rects: batch.rects };
        return net.run(batch);
      },
    };
    const spy = (padding: CropPadding) => refineLandmarks(recording, { padding });
    const clamp = await makeDetector({
      stages: (n, o) => cascade(faceAndLandmarks(n, o), spy("clamp")),
    });
    const zeros = await makeDetector({
      stages: (n, o) => cascade(faceAndLandmarks(n, o), spy("zeros")),
    });
    // Tight frames (AFLW's are 2.9 to 3.7 eye-to-mouth distances), so that the final boxes
    // leave the image and the two paddings cut different crops.
    const reframing = { min: 2.2, max: 2.4 };
    let outside = 0;
    try {
      for (const im of await trainingImages(3)) {
        // The image the miner sees: the first (only) image of its list, reframed with its seed.
        const img = await decodeRgb(await Deno.readFile(im.path), im.path);
        if (img._tag === "Left") throw new Error(img.left.message);
        const framed = reframe(img.right, im.faces[0], derivePrng(SEED, 0, 3), reframing)!;
        for (const [padding, d] of [["clamp", clamp], ["zeros", zeros]] as const) {
          const { out, samples } = await mine([im], {
            reframe: reframing,
            landmarkPadding: padding,
          });
          await Deno.remove(out, { recursive: true });
          const r = await d.detect(framed.image, { boxFormat: "xyxy", clip: false });
          assert(r._tag === "Right" && seen !== undefined);
          if (r._tag !== "Right" || !seen) return;
          assertEquals([r.right.faces.length, samples.length], [1, 1], im.path);
          const s = samples[0];
          assertEquals(s.label, -2);
          const bytes = Uint8Array.from(seen.pixels, (v) => Math.round(v * 128 + 127.5));
          const equal = s.image.length === bytes.length && s.image.every((v, i) => v === bytes[i]);
          assert(equal, `${im.path}, ${padding}: not the pixels the stage cuts at inference`);
          // Its labels, placed in the squared final box as the stage places its output, are the
          // annotated points.
          const sq = squareBoxes(Float64Array.from(r.right.faces[0].box), 1);
          const { width, height } = framed.image;
          if (sq[0] < 1 || sq[1] < 1 || sq[2] > width || sq[3] > height) outside++;
          const placed = placeLandmarks(sq, Float32Array.from(s.landmarks), 1);
          const lm = framed.face.landmarks!;
          for (let k = 0; k < 5; k++) {
            assertAlmostEquals(placed[2 * k], lm[k], 1e-3);
            assertAlmostEquals(placed[2 * k + 1], lm[5 + k], 1e-3);
          }
        }
      }
      assert(outside > 0, "some final box leaves its reframed image (the paddings differ)");
    } finally {
      clamp.dispose();
      zeros.dispose();
      net.dispose();
    }
  },
});

Deno.test({
  name: "generateMinedSet({ repeat: 2 }) keeps every sample of one pass and adds new framings",
  ignore: !HAS_SHARED,
  fn: async () => {
    const images = await trainingImages(4);
    const key = (s: Sample) => `${fnv1a(s.image)} ${Array.from(s.landmarks).join(",")}`;
    const reframe = { min: 2.8, max: 3.8 };
    const one = await mine(images, { reframe });
    const two = await mine(images, { reframe, repeat: 2 });
    try {
      const a = one.samples.map(key), b = two.samples.map(key);
      assert(a.length >= 3, `${a.length} samples in one pass`);
      assert(b.length > a.length, `${b.length} samples in two passes, ${a.length} in one`);
      assert(a.every((k) => b.includes(k)), "the first pass is the single pass");
      assertEquals(new Set(b).size, b.length, "no sample twice");
    } finally {
      await Deno.remove(one.out, { recursive: true });
      await Deno.remove(two.out, { recursive: true });
    }
  },
});

Deno.test("dataset refuses --after-onet without --net onet and a bad --landmark-padding", async () => {
  const { run } = await import("../cli/dataset.ts");
  const err: string[] = [];
  const { error } = console;
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const base = ["--list", "x.txt", "--out", "/nonexistent/set"];
    assertEquals(await run([...base, "--net", "rnet", "--after-onet"]), 2);
    assertEquals(await run([...base, "--net", "onet", "--landmark-padding", "zeros"]), 2);
    assertEquals(
      await run([...base, "--net", "onet", "--after-onet", "--landmark-padding", "x"]),
      2,
    );
    assertEquals(await run([...base, "--net", "onet", "--repeat", "0"]), 2);
  } finally {
    console.error = error;
  }
  assert(err[0].includes("--after-onet needs --net onet"), err[0]);
  assert(err[1].includes("--landmark-padding takes clamp or zeros"), err[1]);
  assert(err[3].includes("--repeat"), err[3]);
});
