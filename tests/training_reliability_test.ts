import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { run as convert } from "../cli/convert.ts";
import { initWeights } from "../lib/train/init_weights.ts";
import { TASK_WEIGHTS } from "../lib/train/losses.ts";
import { readNetWeightsFile } from "../pipelines/edge/weights/files.ts";
import { openDataset } from "../pipelines/edge/train/shard_reader.ts";
import { openShardWriter } from "../pipelines/edge/train/shard_writer.ts";
import { trainNet } from "../pipelines/train/train_net.ts";
import { validationBatches } from "../pipelines/edge/train/validation_batches.ts";

await tf.setBackend("cpu");

/** A PNet set of `n` samples with random pixels, labels cycling through the four kinds. */
const makeSet = async (dir: string, n: number, shardSize: number) => {
  const w = await openShardWriter(dir, "pnet", 12, { seed: 3, shardSize });
  for (let i = 0; i < n; i++) {
    const image = Uint8Array.from({ length: 432 }, (_, k) => (i * 31 + k * 17) & 255);
    await w.add({
      image,
      label: [1, 0, -1, -2][i % 4],
      box: [0.01 * (i % 7), 0, 0, 0],
      landmarks: new Array(10).fill(i % 3 / 10),
    });
  }
  return await w.finish();
};

/** Runs `f` with stderr collected instead of printed. */
const quiet = async <T>(f: () => Promise<T>): Promise<{ value: T; stderr: string[] }> => {
  const stderr: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => void stderr.push(a.join(" "));
  try {
    return { value: await f(), stderr };
  } finally {
    console.error = orig;
  }
};

Deno.test("validationBatches() gives every sample once: 435 samples in batches of 256 and 179", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mtcnn_val_" });
  try {
    await makeSet(dir, 435, 100);
    const ds = await openDataset(dir);
    assert(ds._tag === "Right");
    if (ds._tag !== "Right") return;
    const sizes: number[] = [];
    const labels = { 1: 0, 0: 0, [-1]: 0, [-2]: 0 } as Record<number, number>;
    for await (const b of validationBatches(ds.right, 256)) {
      assert(b._tag === "Right");
      if (b._tag !== "Right") return;
      sizes.push(b.right.size);
      b.right.labels.forEach((l) => labels[l]++);
    }
    assertEquals(sizes, [256, 179]);
    assertEquals(labels, { 1: 109, 0: 109, [-1]: 109, [-2]: 108 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trainNet() scores the validation set on all its samples, not on the full batches only", async () => {
  const train = await Deno.makeTempDir({ prefix: "mtcnn_val_" });
  const val = await Deno.makeTempDir({ prefix: "mtcnn_val_" });
  const out = await Deno.makeTempDir({ prefix: "mtcnn_val_" });
  try {
    await makeSet(train, 16, 16);
    await makeSet(val, 300, 128);
    const before = tf.memory().numTensors;
    const r = await trainNet({
      net: "pnet",
      data: train,
      val,
      out,
      epochs: 1,
      batchSize: 16,
      seed: 1,
      lr: { kind: "constant", base: 0.001 },
      loss: { weights: TASK_WEIGHTS.pnet, boxLoss: "smoothL1" },
      init: initWeights("pnet", 1),
    });
    assert(r._tag === "Right", r._tag === "Left" ? r.left.message : "");
    if (r._tag !== "Right") return;
    assertEquals(r.right.history[0].val?.samples, 300);
    assertEquals(tf.memory().numTensors, before);

    // convert reads the checkpoint the run wrote, as a file and as its folder (case 7).
    const lz4 = join(out, "from_checkpoint.lz4");
    const c = await quiet(() => convert([join(out, "checkpoint.bin"), lz4]));
    assertEquals(c.value, 0, c.stderr.join("\n"));
    const back = await readNetWeightsFile("pnet", lz4);
    assert(back._tag === "Right");
    if (back._tag !== "Right") return;
    const got = back.right.params as Readonly<Record<string, Float32Array>>;
    for (const [name, t] of Object.entries(r.right.weights.params)) {
      assertEquals(Array.from(got[name]), Array.from(t as Float32Array), name);
    }
    const fromDir = await quiet(() => convert([out, join(out, "dir.json")]));
    assertEquals(fromDir.value, 0, fromDir.stderr.join("\n"));
    const wrongNet = await quiet(() => convert([out, join(out, "x.lz4"), "--net", "onet"]));
    assertEquals(wrongNet.value, 1);
    assertEquals(wrongNet.stderr.length, 1);
    assert(wrongNet.stderr[0].includes("holds pnet weights, not onet"), wrongNet.stderr[0]);
  } finally {
    for (const d of [train, val, out]) await Deno.remove(d, { recursive: true });
  }
});
