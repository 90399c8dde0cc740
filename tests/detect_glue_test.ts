import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { useBackend } from "../mod.ts";
import { nms } from "../lib/nms.ts";
import { areaResample, summedAreaTable } from "../lib/area_resample.ts";
import { cropPixels, cutCrops } from "../pipelines/nets/crop_pixels.ts";
import { filledTensor } from "../pipelines/nets/heap_tensor.ts";

/** A seeded generator (LCG) of numbers in [0, 1). */
const random = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

/** Greedy NMS written the plain way: sort with a comparator, scan every pair. */
const plainNms = (b: Float64Array, s: Float64Array, n: number, t: number, min: boolean) => {
  const order = [...Array(n).keys()].sort((i, j) => s[j] - s[i] || i - j);
  const p = min ? 1 : 0;
  const area = (i: number) => (b[4 * i + 2] - b[4 * i] + p) * (b[4 * i + 3] - b[4 * i + 1] + p);
  const out: number[] = [];
  const gone = new Set<number>();
  for (const i of order) {
    if (gone.has(i)) continue;
    out.push(i);
    for (const j of order) {
      if (j === i || gone.has(j) || out.includes(j)) continue;
      const w = Math.min(b[4 * i + 2], b[4 * j + 2]) - Math.max(b[4 * i], b[4 * j]) + p;
      const h = Math.min(b[4 * i + 3], b[4 * j + 3]) - Math.max(b[4 * i + 1], b[4 * j + 1]) + p;
      if (w <= 0 || h <= 0) continue;
      const inter = w * h;
      const o = min ? inter / Math.min(area(i), area(j)) : inter / (area(i) + area(j) - inter);
      if (o > t) gone.add(j);
    }
  }
  return out;
};

Deno.test("nms() keeps what plain greedy NMS keeps, whatever the scores (ties, -0, not float32, > 1)", () => {
  const rnd = random(5);
  for (let t = 0; t < 120; t++) {
    const n = 1 + Math.floor(rnd() * 80);
    const boxes = new Float64Array(4 * n), scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const side = 5 + rnd() * 40, x = rnd() * 100, y = rnd() * 100;
      boxes.set([x, y, x + side, y + side * (0.8 + 0.4 * rnd())], 4 * i);
      const kind = t % 5;
      scores[i] = kind === 0
        ? Math.fround(rnd()) // the nets' probabilities: the packed sort
        : kind === 1
        ? [0, -0, 0.5, 1][i % 4] // ties, both zeros
        : kind === 2
        ? rnd() // doubles that are not float32 values
        : kind === 3
        ? 3 * rnd() - 1 // outside [0, 1]
        : Math.fround(Math.floor(rnd() * 4) / 4); // many ties, packed
    }
    for (const min of [false, true]) {
      const got = [...nms(boxes, scores, n, 0.3 + 0.1 * (t % 5), min ? "min" : "union")];
      assertEquals(got, plainNms(boxes, scores, n, 0.3 + 0.1 * (t % 5), min));
    }
  }
});

Deno.test("areaResample() equals its formula written per value, bit for bit, inside and outside the image", () => {
  const rnd = random(9);
  const w = 57, h = 43;
  const data = new Uint8Array(w * h * 3).map(() => Math.floor(rnd() * 256));
  const sat = summedAreaTable({ width: w, height: h, data });
  const at = (x: number, y: number, c: number) =>
    x < 0 || y < 0 || x >= w || y >= h ? 127.5 : data[(y * w + x) * 3 + c];
  for (let t = 0; t < 40; t++) {
    const x0 = Math.floor(rnd() * 70) - 10, y0 = Math.floor(rnd() * 60) - 10;
    const cw = 1 + Math.floor(rnd() * 50), ch = 1 + Math.floor(rnd() * 50);
    const ow = 1 + Math.floor(rnd() * 30), oh = 1 + Math.floor(rnd() * 30);
    const got = new Float32Array(ow * oh * 3 + 2);
    areaResample(sat, x0, y0, cw, ch, ow, oh, got, 2);
    const want = new Float32Array(ow * oh * 3 + 2);
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const ra = Math.floor(i * ch / oh), rb = Math.ceil((i + 1) * ch / oh);
        const ca = Math.floor(j * cw / ow), cb = Math.ceil((j + 1) * cw / ow);
        for (let c = 0; c < 3; c++) {
          let sum = 0; // exact: integers and halves
          for (let y = ra; y < rb; y++) for (let x = ca; x < cb; x++) sum += at(x0 + x, y0 + y, c);
          want[2 + (i * ow + j) * 3 + c] = (sum / ((rb - ra) * (cb - ca)) - 127.5) * 0.0078125;
        }
      }
    }
    assertEquals(new Uint32Array(got.buffer), new Uint32Array(want.buffer));
  }
});

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`filledTensor() on ${backend} holds what fill wrote, and cutCrops() what cropPixels() gives; no tensor leaks`, async () => {
    const r = await useBackend(backend);
    if (r._tag === "Left") throw new Error(r.left.message);
    const rnd = random(3);
    const data = new Uint8Array(40 * 30 * 3).map(() => Math.floor(rnd() * 256));
    const sat = summedAreaTable({ width: 40, height: 30, data });
    const rects = new Int32Array([0, 0, 40, 30, -5, 3, 12, 12, 30, 20, 20, 15]);
    const batch = { size: 24, count: 3, rects, sat };
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      const t = filledTensor([3, 24, 24, 3], (o) => cutCrops(batch, o));
      assertEquals(t.shape, [3, 24, 24, 3]);
      const values = t.dataSync() as Float32Array;
      const want = cropPixels(batch);
      assert(values.every((v, i) => Object.is(v, want[i])), "values differ");
      // The tensor works as any other: a kernel reads it.
      const sum = tf.tidy(() => tf.sum(t).dataSync()[0]);
      assert(Math.abs(sum - values.reduce((a, b) => a + b, 0)) < 1e-2, `sum ${sum}`);
      t.dispose();
    }
    assertEquals(tf.memory().numTensors, before);
    const empty = filledTensor([0, 24, 24, 3], () => {});
    assertEquals(empty.shape, [0, 24, 24, 3]);
    empty.dispose();
    assertEquals(tf.memory().numTensors, before);
    await useBackend("wasm");
  });
}
