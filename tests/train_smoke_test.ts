import * as tf from "@tensorflow/tfjs";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./_assert.ts";
import {
  epochBatches,
  generatePnetSet,
  initWeights,
  loadTrainingImages,
  openDataset,
  TASK_WEIGHTS,
  toVariables,
  trainNet,
  type TrainOptions,
} from "../train.ts";
import { useBackend } from "../mod.ts";
import { validationAccumulator } from "../pipelines/train/train_step.ts";
import { registerWasmGradKernels } from "../pipelines/train/wasm_grad_kernels.ts";

const FIXTURE = fileURLToPath(new URL("../fixtures/train/faces.json", import.meta.url));

const backend = await useBackend("auto");
if (backend._tag === "Right" && backend.right === "wasm") registerWasmGradKernels();

const makeSet = async (): Promise<string> => {
  const dir = await Deno.makeTempDir({ prefix: "mtcnn_train_" });
  const imgs = await loadTrainingImages(FIXTURE, "json");
  if (imgs._tag === "Left") throw new Error(imgs.left.message);
  const r = await generatePnetSet(imgs.right, { out: dir, seed: 4, shardSize: 40 });
  if (r._tag === "Left") throw new Error(r.left.message);
  return dir;
};

const setLoss = async (dir: string, w: ReturnType<typeof initWeights<"pnet">>) => {
  const ds = await openDataset(dir);
  if (ds._tag === "Left") throw new Error(ds.left.message);
  const vars = toVariables(w);
  const acc = validationAccumulator("pnet", vars, { weights: TASK_WEIGHTS.pnet });
  for await (const b of epochBatches(ds.right, 0, 0, 8)) if (b._tag === "Right") acc.add(b.right);
  for (const v of Object.values(vars) as tf.Tensor[]) v.dispose();
  return acc.result();
};

const options = (data: string, out: string): TrainOptions<"pnet"> => ({
  net: "pnet",
  data,
  out,
  epochs: 3,
  batchSize: 16,
  seed: 11,
  lr: { kind: "cosine", base: 0.01, total: 15 },
  loss: { weights: TASK_WEIGHTS.pnet },
  init: initWeights("pnet", 11),
  checkpointEvery: 4,
  flip: true,
});

Deno.test("generatePnetSet() on the fixture draws about 3 : 1 : 1 : 2 negatives, positives, parts, landmarks", async () => {
  const dir = await makeSet();
  try {
    const ds = await openDataset(dir);
    assert(ds._tag === "Right");
    if (ds._tag !== "Right") return;
    const c = ds.right.index.counts;
    assertEquals(c.neg, 48); // 6 per image, 8 images
    assert(c.pos === 16 && c.part === 16 && c.landmark === 32, JSON.stringify(c));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("training PNet a few steps on the fixture lowers the loss, without leaking tensors", async () => {
  const dir = await makeSet();
  const out = await Deno.makeTempDir();
  try {
    const before = await setLoss(dir, initWeights("pnet", 11));
    const n = tf.memory().numTensors;
    const r = await trainNet({
      ...options(dir, out),
      epochs: 5,
      lr: { kind: "constant", base: 0.01 },
    });
    assert(r._tag === "Right", r._tag === "Left" ? r.left.message : "");
    if (r._tag !== "Right") return;
    assertEquals(tf.memory().numTensors, n, "tensors after training");
    const after = await setLoss(dir, r.right.weights);
    assert(after.loss < before.loss * 0.8, `loss ${before.loss} -> ${after.loss}`);
    assertEquals(r.right.history.length, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("a run stopped mid-epoch and resumed ends with exactly the weights of an uninterrupted run", async () => {
  const dir = await makeSet();
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  try {
    const full = await trainNet(options(dir, a));
    assert(full._tag === "Right");
    // 112 samples / 16 = 7 steps per epoch: stop at step 9 (epoch 2, step 2), after a
    // checkpoint at 8, so the resume also replays one step from the checkpoint.
    const part = await trainNet({ ...options(dir, b), maxSteps: 9 });
    assert(part._tag === "Right" && part.right.steps === 9);
    const rest = await trainNet({ ...options(dir, b), resume: true });
    assert(rest._tag === "Right");
    if (full._tag !== "Right" || rest._tag !== "Right") return;
    for (const [k, v] of Object.entries(full.right.weights.params)) {
      assertEquals((rest.right.weights.params as Record<string, Float32Array>)[k], v, k);
    }
    assertEquals(
      rest.right.history.map((h) => h.trainLoss),
      full.right.history.map((h) => h.trainLoss),
    );
  } finally {
    for (const d of [dir, a, b]) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("training only some parameters leaves the others bit for bit as they were (with distillation on)", async () => {
  const dir = await makeSet();
  const out = await Deno.makeTempDir();
  try {
    const init = initWeights("pnet", 11);
    const n = tf.memory().numTensors;
    const r = await trainNet({
      ...options(dir, out),
      epochs: 1,
      init,
      trainable: ["conv4-1/kernel", "conv4-1/bias"],
      distill: 1,
    });
    assert(r._tag === "Right", r._tag === "Left" ? r.left.message : "");
    if (r._tag !== "Right") return;
    assertEquals(tf.memory().numTensors, n, "tensors after training");
    const before = init.params as Record<string, Float32Array>;
    const after = r.right.weights.params as Record<string, Float32Array>;
    for (const k of Object.keys(before)) {
      const same = before[k].every((v, i) => Object.is(v, after[k][i]));
      assertEquals(same, !k.startsWith("conv4-1/"), k);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("loadTrainingImages() reads WIDER FACE ground truth as x1, y1, x2, y2 boxes and skips invalid faces", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const list = `${dir}/gt.txt`;
    await Deno.writeTextFile(
      list,
      "0--Parade/a.jpg\n2\n10 20 30 40 0 0 0 0 0 0\n5 5 8 8 0 0 0 1 0 0\n1--Handshaking/b.jpg\n0\n0 0 0 0 0 0 0 0 0 0\n",
    );
    const r = await loadTrainingImages(list, "wider");
    assert(r._tag === "Right", r._tag === "Left" ? r.left.message : "");
    if (r._tag !== "Right") return;
    assertEquals(r.right.map((i) => i.faces.map((f) => f.box)), [[[10, 20, 40, 60]], []]);
    assertEquals(r.right[0].path, `${dir}/0--Parade/a.jpg`);
    const bad = await loadTrainingImages(list, "cnn_facepoint");
    assert(bad._tag === "Left" && bad.left.message.includes("gt.txt:1"), "file and line named");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
