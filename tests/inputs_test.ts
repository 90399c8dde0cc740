import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { createDetector } from "../mod.ts";
import { loadImage, resolveOptions } from "../stages.ts";
import { defaultWeights, makeDetector } from "./_shared.ts";

const tag = async (input: Parameters<typeof loadImage>[0], max?: number) => {
  const r = await loadImage(input, max);
  return r._tag === "Left" ? `${r.left._tag}: ${r.left.message}` : "ok";
};

Deno.test("loadImage() gives typed errors for empty, garbage, missing and truncated inputs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/text.jpg`, "this is not an image");
    assert((await tag(new Uint8Array(0))).startsWith("DecodeError: 0 bytes: the file is empty"));
    assert((await tag(`${dir}/text.jpg`)).startsWith("DecodeError"), await tag(`${dir}/text.jpg`));
    assert((await tag(`${dir}/missing.jpg`)).includes("IoError"));
    assert((await tag(`${dir}/missing.jpg`)).includes("no such file"));
    assert((await tag(dir)).startsWith("IoError"));
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]);
    assert((await tag(png)).startsWith("DecodeError"), await tag(png));
    assert((await tag({ width: 2, height: 2, data: new Uint8Array(5) })).startsWith("InputError"));
    assert((await tag(42 as unknown as Uint8Array)).startsWith("InputError"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadImage() refuses an image over maxPixels from its header, before decoding", async () => {
  // A PNG header claiming 100000 x 100000 pixels, with no pixel data at all.
  const png = new Uint8Array(33);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(png.buffer).setUint32(16, 100000);
  new DataView(png.buffer).setUint32(20, 100000);
  const t = await tag(png, 1_000_000);
  assert(t.startsWith("InputError") && t.includes("100000x100000"), t);
});

Deno.test("loadImage() reads tensors of 1, 3 and 4 channels and refuses other shapes", async () => {
  await makeDetector().then((d) => d.dispose());
  const gray = tf.tensor3d([0, 128, 255, 64], [2, 2, 1]);
  const r = await loadImage(gray);
  assert(r._tag === "Right");
  assertEquals([...r.right.data.slice(0, 6)], [0, 0, 0, 128, 128, 128]);
  const bad = tf.zeros([2, 2, 2]);
  assert((await tag(bad)).startsWith("InputError"));
  const nan = tf.tensor3d([NaN, 0, 0], [1, 1, 3]);
  assert((await tag(nan)).startsWith("InputError"));
  tf.dispose([gray, bad, nan]);
});

Deno.test("tiny and thin images give no face rather than an error", async () => {
  const d = await makeDetector();
  const before = tf.memory().numTensors;
  for (const [w, h] of [[1, 1], [1, 10000], [11, 11], [30, 12]]) {
    const r = await d.detect({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(90) });
    assert(r._tag === "Right", `${w}x${h}`);
    assertEquals(r.right.faces.length, 0);
  }
  assertEquals(tf.memory().numTensors, before);
  d.dispose();
});

Deno.test("resolveOptions() names the option at fault", () => {
  const bad = (o: Record<string, unknown>) => {
    const r = resolveOptions(o);
    return r._tag === "Left" ? r.left.message : "ok";
  };
  assert(bad({ minFaceSize: 0 }).startsWith("minFaceSize"));
  assert(bad({ scaleFactor: 1 }).startsWith("scaleFactor"));
  assert(bad({ thresholds: [0.6, 0.7] }).startsWith("thresholds"));
  assert(bad({ boxFormat: "ltrb" }).startsWith("boxFormat"));
  assertEquals(bad({ minFaceSize: 40, thresholds: [0.5, 0.5, 0.5] }), "ok");
});

Deno.test("createDetector() refuses weights with NaN or a wrong shape, naming the layer", async () => {
  const w = await defaultWeights();
  const nan = w.rnet.params["fc4/kernel"].slice();
  nan[7] = NaN;
  const r1 = await createDetector({
    weights: { ...w, rnet: { net: "rnet", params: { ...w.rnet.params, "fc4/kernel": nan } } },
  });
  assert(r1._tag === "Left" && r1.left.message.includes("fc4/kernel"), JSON.stringify(r1));
  const short = w.pnet.params["conv1/bias"].slice(0, 5);
  const r2 = await createDetector({
    weights: { ...w, pnet: { net: "pnet", params: { ...w.pnet.params, "conv1/bias": short } } },
  });
  assert(r2._tag === "Left" && r2.left.message.includes("conv1/bias"), JSON.stringify(r2));
  assert(r2._tag === "Left" && r2.left.message.includes("(10)"), JSON.stringify(r2));
});
