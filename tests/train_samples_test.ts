import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import { iou } from "../lib/nms.ts";
import { makePrng, mirrorSample } from "../train.ts";
import { cropPatch } from "../lib/train/patch.ts";
import {
  cropBox,
  encodeBox,
  encodeLandmarks,
  labelCrop,
  labelForIou,
  sampleCrops,
} from "../lib/train/samples.ts";

Deno.test("labelForIou() uses the paper's thresholds: >= .65 face, .4-.65 part, < .3 non-face", () => {
  assertEquals(
    [0.65, 0.649, 0.4, 0.399, 0.3, 0.299, 0].map(labelForIou),
    [1, -1, -1, undefined, undefined, 0, 0],
  );
});

Deno.test("labelCrop() labels by the best IoU over all faces and encodes offsets over the crop size", () => {
  const faces = [{ box: [100, 100, 140, 140] as const }, { box: [10, 10, 50, 50] as const }];
  const l = labelCrop({ x: 12, y: 8, size: 40 }, faces)!;
  assertEquals(l.label, 1);
  assertEquals(l.box, [(10 - 12) / 40, (10 - 8) / 40, (50 - 52) / 40, (50 - 48) / 40]);
  assertEquals(labelCrop({ x: 200, y: 200, size: 20 }, faces)?.label, 0);
  // overlap 40 x 28 = 1120 of union 2080: IoU .54, a part face
  assertEquals(labelCrop({ x: 10, y: 22, size: 40 }, faces)?.label, -1);
});

Deno.test("encodeLandmarks() gives x1..x5 then y1..y5 as fractions of the crop", () => {
  const lm = [10, 20, 15, 11, 19, 30, 30, 35, 40, 40];
  assertEquals(encodeLandmarks({ x: 10, y: 30, size: 10 }, lm), [
    0,
    1,
    0.5,
    0.1,
    0.9,
    0,
    0,
    0.5,
    1,
    1,
  ]);
  assertEquals(encodeBox({ x: 0, y: 0, size: 10 }, [1, 2, 9, 8]), [0.1, 0.2, -0.1, -0.2]);
});

Deno.test("sampleCrops() labels agree with each crop's IoU, crops stay inside, and a seed repeats it", () => {
  const faces = [
    { box: [40, 50, 100, 110] as const, landmarks: [55, 85, 70, 58, 82, 70, 70, 85, 95, 95] },
    { box: [150, 20, 190, 60] as const },
  ];
  const counts = { neg: 30, pos: 10, part: 10, landmark: 20 };
  const a = sampleCrops(makePrng(5), 220, 160, faces, counts);
  const b = sampleCrops(makePrng(5), 220, 160, faces, counts);
  assertEquals(a, b);
  const n = { 0: 0, 1: 0, [-1]: 0, [-2]: 0 } as Record<number, number>;
  for (const s of a) {
    n[s.label]++;
    const c = s.crop;
    assert(c.x >= 0 && c.y >= 0 && c.x + c.size <= 220 && c.y + c.size <= 160 && c.size >= 12);
    const best = Math.max(...faces.map((f) => iou(cropBox(c), f.box)));
    if (s.label === 0) assert(best < 0.3, `negative with IoU ${best}`);
    if (s.label === 1 || s.label === -2) assert(best >= 0.65, `positive with IoU ${best}`);
    if (s.label === -1) assert(best >= 0.4 && best < 0.65, `part with IoU ${best}`);
    if (s.label === -2) assert(s.landmarks.every((v) => v >= 0 && v <= 1));
  }
  assertEquals(n[0], 30);
  assert(n[1] >= 10 && n[-1] >= 10, `positives ${n[1]}, parts ${n[-1]}`);
  assertEquals(n[-2], 20, "landmark samples only for the face with landmarks");
});

Deno.test("cropPatch() area-averages: a 4x4 crop to 2x2 gives the mean of each 2x2 block", () => {
  const data = new Uint8Array(4 * 4 * 3);
  for (let i = 0; i < 16; i++) data.fill(i * 10, i * 3, i * 3 + 3);
  const p = cropPatch({ width: 4, height: 4, data }, { x: 0, y: 0, size: 4 }, 2);
  // top-left block: pixels 0, 1, 4, 5 -> (0 + 10 + 40 + 50) / 4 = 25
  assertEquals(Array.from(p).filter((_, i) => i % 3 === 0), [25, 45, 105, 125]);
});

Deno.test("mirrorSample() mirrors pixels, swaps box sides and left / right landmarks", () => {
  const img = new Float32Array(2 * 2 * 3).map((_, i) => i);
  const box = new Float32Array([0.1, 0.2, -0.3, -0.4]);
  const lm = new Float32Array([0.3, 0.7, 0.5, 0.35, 0.65, 0.4, 0.4, 0.6, 0.8, 0.8]);
  mirrorSample(img, box, lm, -2, 2, 0);
  assertEquals(Array.from(img), [3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8]);
  assertEquals(Array.from(box).map((v) => +v.toFixed(4)), [0.3, 0.2, -0.1, -0.4]);
  const want = [0.3, 0.7, 0.5, 0.35, 0.65];
  want.forEach((v, k) => assertAlmostEquals(lm[k], v, 1e-6));
});
