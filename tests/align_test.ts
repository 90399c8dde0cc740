import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import {
  type Affine,
  alignFace,
  applyAffine,
  ARCFACE_TEMPLATE_112,
  cropFace,
  estimateSimilarity,
  faceTemplate,
  invertAffine,
  warpAffine,
} from "../align.ts";
import { KEYPOINT_NAMES, type Keypoints, type Point } from "../mod.ts";
import type { RgbImage } from "../mod.ts";
import type { Result } from "../mod.ts";

const right = <E, A>(r: Result<E, A>): A => {
  if (r._tag === "Left") throw new Error(`expected Right, got ${JSON.stringify(r.left)}`);
  return r.right;
};

const toKeypoints = (p: readonly Point[]): Keypoints => ({
  left_eye: p[0],
  right_eye: p[1],
  nose: p[2],
  mouth_left: p[3],
  mouth_right: p[4],
});

/** The template moved by a known similarity: rotation `deg`, scale `s`, shift (tx, ty). */
const moved = (deg: number, s: number, tx: number, ty: number): Point[] => {
  const c = s * Math.cos(deg * Math.PI / 180), n = s * Math.sin(deg * Math.PI / 180);
  return ARCFACE_TEMPLATE_112.map(([x, y]): Point => [c * x - n * y + tx, n * x + c * y + ty]);
};

const blank = (width: number, height: number): RgbImage => ({
  width,
  height,
  data: new Uint8Array(width * height * 3),
});

Deno.test("estimateSimilarity() recovers a rotation, scale and shift exactly", () => {
  const src = moved(-25, 1.8, 40, -7);
  const t = right(estimateSimilarity(src, ARCFACE_TEMPLATE_112));
  const c = Math.cos(25 * Math.PI / 180) / 1.8, n = Math.sin(25 * Math.PI / 180) / 1.8;
  const expected = [c, -n, 0, n, c, 0];
  for (const i of [0, 1, 3, 4]) assertAlmostEquals(t[i], expected[i], 1e-9);
  src.forEach((p, i) => {
    const q = applyAffine(t, p);
    assertAlmostEquals(q[0], ARCFACE_TEMPLATE_112[i][0], 1e-9);
    assertAlmostEquals(q[1], ARCFACE_TEMPLATE_112[i][1], 1e-9);
  });
});

Deno.test("estimateSimilarity() never reflects: a mirrored face gets a rotation, not a flip", () => {
  const mirrored = ARCFACE_TEMPLATE_112.map(([x, y]): Point => [200 - x, y]);
  const t = right(estimateSimilarity(mirrored, ARCFACE_TEMPLATE_112));
  assert(t[0] * t[4] - t[1] * t[3] > 0, "determinant must be positive");
  assertAlmostEquals(t[0], t[4], 1e-12);
  assertAlmostEquals(t[1], -t[3], 1e-12);
});

Deno.test("estimateSimilarity() is the least-squares fit: noise moves it only a little", () => {
  const noisy = moved(10, 0.5, 3, 4).map(([x, y], i): Point => [x + (i % 2 ? 0.3 : -0.3), y]);
  const t = right(estimateSimilarity(noisy, ARCFACE_TEMPLATE_112));
  const scale = Math.hypot(t[0], t[3]);
  assertAlmostEquals(scale, 2, 0.02);
  assertAlmostEquals(Math.atan2(t[3], t[0]) * 180 / Math.PI, -10, 0.5);
});

Deno.test("estimateSimilarity() gives an InputError, not NaN, when all points coincide", () => {
  const same: Point[] = Array(5).fill([50, 60]);
  const r = estimateSimilarity(same, ARCFACE_TEMPLATE_112);
  assertEquals(r._tag, "Left");
  if (r._tag === "Left") assertEquals(r.left._tag, "InputError");
  const nan = estimateSimilarity([[0, 0], [NaN, 1]], [[0, 0], [1, 1]]);
  assertEquals(nan._tag === "Left" && nan.left._tag, "InputError");
  const short = estimateSimilarity([[0, 0]], [[0, 0]]);
  assertEquals(short._tag === "Left" && short.left._tag, "InputError");
});

Deno.test("alignFace() maps the input keypoints onto the template (size 112 and 160, margin)", () => {
  const image = blank(300, 300);
  for (const [deg, s, size, margin] of [[0, 1, 112, 0], [30, 2.2, 112, 0], [-15, 0.7, 160, 0.1]]) {
    const src = moved(deg, s, 60, 40);
    const aligned = right(alignFace(image, toKeypoints(src), { size, margin }));
    assertEquals([aligned.image.width, aligned.image.height], [size, size]);
    const template = faceTemplate({ size, margin });
    src.forEach((p, i) => {
      const q = applyAffine(aligned.transform, p);
      assertAlmostEquals(q[0], template[i][0], 1e-6);
      assertAlmostEquals(q[1], template[i][1], 1e-6);
    });
  }
});

Deno.test("alignFace() moves dots drawn at the landmarks to the template positions", () => {
  const width = 320, height = 240;
  const image = blank(width, height);
  const src = moved(20, 1.6, 90, -10);
  // A 5x5 white dot around each landmark (rounded to a pixel centre).
  for (const [x, y] of src) {
    const px = Math.round(x), py = Math.round(y);
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        image.data.fill(
          255,
          ((py + dy) * width + px + dx) * 3,
          ((py + dy) * width + px + dx) * 3 + 3,
        );
      }
    }
  }
  const aligned = right(alignFace(image, toKeypoints(src)));
  const out = aligned.image;
  src.forEach((p, i) => {
    // Brightness-weighted centre of the blob near the template point.
    const [tx, ty] = ARCFACE_TEMPLATE_112[i];
    let sum = 0, mx = 0, my = 0;
    for (let y = Math.floor(ty) - 6; y <= Math.ceil(ty) + 6; y++) {
      for (let x = Math.floor(tx) - 6; x <= Math.ceil(tx) + 6; x++) {
        const v = out.data[(y * out.width + x) * 3];
        sum += v, mx += v * x, my += v * y;
      }
    }
    assert(sum > 0, `landmark ${KEYPOINT_NAMES[i]} has no dot near the template`);
    // The dot was drawn at the rounded landmark: expected centre is that point, mapped.
    const [ex, ey] = applyAffine(aligned.transform, [Math.round(p[0]), Math.round(p[1])]);
    assertAlmostEquals(mx / sum, ex, 0.25);
    assertAlmostEquals(my / sum, ey, 0.25);
    assertAlmostEquals(mx / sum, tx, 0.6);
    assertAlmostEquals(my / sum, ty, 0.6);
  });
});

Deno.test("alignFace() rejects degenerate keypoints and bad options with typed errors", () => {
  const image = blank(50, 50);
  const same = toKeypoints(Array(5).fill([10, 10]));
  const r = alignFace(image, same);
  assertEquals(r._tag === "Left" && r.left._tag, "InputError");
  const kp = toKeypoints(moved(0, 0.3, 5, 5));
  assertEquals(
    ((r) => r._tag === "Left" && r.left._tag)(alignFace(image, kp, { size: 0 })),
    "OptionError",
  );
  assertEquals(
    ((r) => r._tag === "Left" && r.left._tag)(alignFace(image, kp, { margin: 0.5 })),
    "OptionError",
  );
});

Deno.test("warpAffine() is black outside the image and exact for the identity", () => {
  const image: RgbImage = {
    width: 2,
    height: 2,
    data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
  };
  assertEquals(right(warpAffine(image, [1, 0, 0, 0, 1, 0], 2, 2)).data, image.data);
  const shifted = right(warpAffine(image, [1, 0, 5, 0, 1, 5], 2, 2));
  assertEquals([...shifted.data], Array(12).fill(0));
  // Half a pixel past the right edge: half the edge pixel, half black.
  const half = right(warpAffine(image, [1, 0, -1.5, 0, 1, 0], 1, 1));
  assertEquals([...half.data], [2, 3, 3]);
  const singular = warpAffine(image, [0, 0, 0, 0, 0, 0], 2, 2);
  assertEquals(singular._tag === "Left" && singular.left._tag, "InputError");
});

Deno.test("invertAffine() undoes a transform", () => {
  const t: Affine = [0.8, -0.6, 12, 0.6, 0.8, -3];
  const inv = right(invertAffine(t));
  const p = applyAffine(inv, applyAffine(t, [17, -4]));
  assertAlmostEquals(p[0], 17, 1e-12);
  assertAlmostEquals(p[1], -4, 1e-12);
});

Deno.test("cropFace() adds the margin, squares, clamps and resizes", () => {
  const width = 100, height = 80;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(y * width + x) * 3] = x;
  const image = { width, height, data };
  const plain = right(cropFace(image, [10, 20, 30, 10]));
  assertEquals(plain.region, [10, 20, 30, 10]);
  assertEquals(plain.image.data[0], 10);
  assertEquals(plain.image.data[(plain.image.width - 1) * 3], 39);
  const sq = right(cropFace(image, [10, 20, 30, 10], { square: true, margin: 0.1 }));
  assertEquals(sq.region, [7, 7, 36, 36]);
  const xyxy = right(cropFace(image, [10, 20, 40, 30], { boxFormat: "xyxy" }));
  assertEquals(xyxy.region, plain.region);
  const clamped = right(cropFace(image, [80, 60, 40, 40], { size: 16 }));
  assertEquals(clamped.region, [80, 60, 20, 20]);
  assertEquals([clamped.image.width, clamped.image.height], [16, 16]);
  const outside = cropFace(image, [200, 200, 10, 10]);
  assertEquals(outside._tag === "Left" && outside.left._tag, "InputError");
  const badMargin = cropFace(image, [10, 10, 10, 10], { margin: -1 });
  assertEquals(badMargin._tag === "Left" && badMargin.left._tag, "OptionError");
});
