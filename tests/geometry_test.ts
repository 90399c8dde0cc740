import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import { iou, nms } from "../lib/nms.ts";
import { pyramidLevels } from "../lib/pyramid.ts";
import { areaResample, summedAreaTable } from "../lib/area_resample.ts";
import { applyOffsets, squareBoxes } from "../lib/candidates.ts";
import { cropRect } from "../pipelines/stages/crop.ts";
import { readImageSize } from "../lib/image_header.ts";

Deno.test("nms() keeps the higher-scoring box when IoU > 0.5 and keeps disjoint boxes", () => {
  const boxes = new Float64Array([0, 0, 10, 10, 1, 1, 11, 11, 50, 50, 60, 60, 0, 0, 10, 10]);
  const scores = new Float64Array([0.8, 0.9, 0.7, 0.1]);
  assertEquals([...nms(boxes, scores, 4, 0.5, "union")], [1, 2]);
  // IoU of the first two is 81 / 119 = 0.68: a threshold of 0.7 keeps both.
  assertEquals([...nms(boxes, scores, 3, 0.7, "union")], [1, 0, 2]);
});

Deno.test("nms() in min mode measures overlap over the smaller box with +1 widths", () => {
  // A small box inside a big one: IoU is small, intersection over the smaller is 1.
  const boxes = new Float64Array([0, 0, 99, 99, 10, 10, 19, 19]);
  const scores = new Float64Array([0.9, 0.95]);
  assertEquals([...nms(boxes, scores, 2, 0.7, "union")], [1, 0]);
  assertEquals([...nms(boxes, scores, 2, 0.7, "min")], [1]);
});

Deno.test("iou() of identical, disjoint and half-overlapping boxes", () => {
  assertEquals(iou([0, 0, 10, 10], [0, 0, 10, 10]), 1);
  assertEquals(iou([0, 0, 10, 10], [20, 20, 30, 30]), 0);
  assertAlmostEquals(iou([0, 0, 10, 10], [5, 0, 15, 10]), 50 / 150, 1e-12);
});

Deno.test("pyramidLevels() follows 12 / minFaceSize * 0.709^k while the short side >= 12", () => {
  const levels = pyramidLevels(640, 480, 20, 0.709);
  assertAlmostEquals(levels[0].scale, 0.6, 1e-12);
  assertEquals([levels[0].width, levels[0].height], [385, 289]);
  const last = levels[levels.length - 1];
  assert(480 * last.scale >= 12 && 480 * last.scale * 0.709 < 12);
  assertEquals(levels.length, 10);
  assertEquals(pyramidLevels(15, 15, 20, 0.709).length, 0);
});

Deno.test("areaResample() equals adaptive average pooling computed naively", () => {
  const w = 13, h = 7;
  const data = new Uint8Array(w * h * 3).map((_, i) => (i * 37) % 256);
  const sat = summedAreaTable({ width: w, height: h, data });
  const outW = 5, outH = 4;
  const out = new Float32Array(outW * outH * 3);
  areaResample(sat, 0, 0, w, h, outW, outH, out);
  for (let i = 0; i < outH; i++) {
    for (let j = 0; j < outW; j++) {
      const r0 = Math.floor((i * h) / outH), r1 = Math.ceil(((i + 1) * h) / outH);
      const c0 = Math.floor((j * w) / outW), c1 = Math.ceil(((j + 1) * w) / outW);
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let y = r0; y < r1; y++) for (let x = c0; x < c1; x++) s += data[(y * w + x) * 3 + c];
        const expected = (s / ((r1 - r0) * (c1 - c0)) - 127.5) / 128;
        assertAlmostEquals(out[(i * outW + j) * 3 + c], expected, 1e-6);
      }
    }
  }
});

Deno.test("areaResample() treats pixels outside the image as zero after normalization", () => {
  const data = new Uint8Array(2 * 2 * 3).fill(255);
  const sat = summedAreaTable({ width: 2, height: 2, data });
  const out = new Float32Array(3);
  // A 4x4 window whose top-left 2x2 quarter is the image: mean = (4 * 255 + 12 * 127.5) / 16.
  areaResample(sat, 0, 0, 4, 4, 1, 1, out);
  assertAlmostEquals(out[0], ((4 * 255 + 12 * 127.5) / 16 - 127.5) / 128, 1e-6);
});

Deno.test("cropRect() clamps to the image in clamp mode and keeps the box in zeros mode", () => {
  assertEquals(cropRect([-5.7, 3.2, 20.9, 30.1], 16, 40, "clamp"), { x0: 0, y0: 2, w: 16, h: 28 });
  assertEquals(cropRect([-5.7, 3.2, 20.9, 30.1], 16, 40, "zeros"), { x0: -6, y0: 2, w: 26, h: 28 });
});

Deno.test("applyOffsets() and squareBoxes() follow the reference's regression and squaring", () => {
  const b = new Float64Array([10, 20, 30, 60]);
  assertEquals([...applyOffsets(b, new Float64Array([0.1, -0.1, 0.2, 0]), 1, 0)], [12, 16, 34, 60]);
  assertEquals([...applyOffsets(b, new Float64Array([0.1, 0, 0, 0]), 1, 1)], [12.1, 20, 30, 60]);
  assertEquals([...squareBoxes(b, 1)], [0, 20, 40, 60]);
});

Deno.test("readImageSize() reads PNG and JPEG headers", async () => {
  const { Image } = await import("imagescript");
  const img = new Image(37, 21);
  assertEquals(readImageSize(await img.encode()), { width: 37, height: 21 });
  assertEquals(readImageSize(await img.encodeJPEG(80)), { width: 37, height: 21 });
  assertEquals(readImageSize(new Uint8Array([1, 2, 3])), undefined);
});

Deno.test("summedAreaTable() switches to 64-bit sums where 32 bits could overflow", () => {
  const small = summedAreaTable({ width: 4, height: 4, data: new Uint8Array(48).fill(255) });
  assert(small.sums instanceof Uint32Array);
  const w = 4200, h = 4100; // 255 * w * h > 2^32
  const big = summedAreaTable({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(255) });
  assert(big.sums instanceof Float64Array);
  assertEquals(big.sums[big.sums.length - 1], 255 * w * h);
});
