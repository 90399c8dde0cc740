import { runCli } from "./_cli_process.ts";
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { createDetector, type Face, type RgbImage } from "../mod.ts";
import { alignFace, rgbToImage } from "../align.ts";
import {
  faceAndLandmarks,
  loadImage,
  resolveOptions,
  rotateImage,
  type Rotation,
  rotations,
  unrotateCandidates,
} from "../stages.ts";
import { defaultWeights, makeDetector } from "./_shared.ts";
import { GROUP, IVAN } from "./_faces.ts";

/** A small image whose every pixel is distinct: red = x, green = y, blue = 7. */
const gradient = (w: number, h: number): RgbImage => {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data.set([x, y, 7], (y * w + x) * 3);
  }
  return { width: w, height: h, data };
};

/**
 * Where point (x, y) of a `w` x `h` image goes when the image is turned counter-clockwise by
 * `a` (written here independently of lib/rotation.ts), in continuous coordinates: pixel (i, j)
 * spans [i, i + 1) x [j, j + 1).
 */
const ccw = (a: Rotation, w: number, h: number) => (x: number, y: number): [number, number] =>
  a === 90 ? [y, w - x] : a === 180 ? [w - x, h - y] : a === 270 ? [h - y, x] : [x, y];

/** The image turned counter-clockwise by `a`, pixel by pixel. */
const turnCcw = (img: RgbImage, a: Rotation): RgbImage => {
  const { width: w, height: h } = img;
  const [tw, th] = a === 90 || a === 270 ? [h, w] : [w, h];
  const to = ccw(a, w, h);
  const data = new Uint8Array(img.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [cu, cv] = to(x + 0.5, y + 0.5);
      const [u, v] = [Math.floor(cu), Math.floor(cv)];
      data.set(img.data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3), (v * tw + u) * 3);
    }
  }
  return { width: tw, height: th, data };
};

Deno.test("rotateImage() turns clockwise: a quarter turn undoes a counter-clockwise one, four give the image back", () => {
  const img = gradient(5, 3);
  for (const a of [90, 180, 270] as const) {
    assertEquals(rotateImage(turnCcw(img, a), a), img, `${a}`);
  }
  const r = rotateImage(img, 90);
  assertEquals([r.width, r.height], [3, 5]);
  // The top-left pixel of the turned image is the bottom-left one of the image.
  assertEquals([...r.data.subarray(0, 3)], [0, 2, 7]);
  let four = img;
  for (let i = 0; i < 4; i++) four = rotateImage(four, 90);
  assertEquals(four, img);
});

Deno.test("unrotateCandidates() puts boxes and landmarks found on a turned image back on the same pixels", () => {
  const img = gradient(7, 4);
  for (const a of [90, 180, 270] as const) {
    const t = rotateImage(img, a);
    for (let v = 0; v < t.height; v++) {
      for (let u = 0; u < t.width; u++) {
        // Pixel (u, v) of the turned image holds x = red, y = green of the original.
        const x = t.data[(v * t.width + u) * 3], y = t.data[(v * t.width + u) * 3 + 1];
        const c = {
          count: 1,
          boxes: Float64Array.of(u, v, u + 1, v + 1), // exactly pixel (u, v)
          scores: Float64Array.of(0.9),
          landmarks: new Float64Array(10).map((_, i) => (i % 2 === 0 ? u : v)), // its position
        };
        const back = unrotateCandidates(c, a, img.width, img.height);
        assertEquals([...back.boxes], [x, y, x + 1, y + 1], `${a}: (${u}, ${v})`);
        assertEquals([...back.landmarks!.subarray(0, 2)], [x, y]);
      }
    }
    // A box's extent follows its corners: the 2x3 box at the turned image's top left.
    const c = { count: 1, boxes: Float64Array.of(0, 0, 2, 3), scores: Float64Array.of(1) };
    const b = unrotateCandidates(c, a, img.width, img.height).boxes;
    assertEquals((b[2] - b[0]) * (b[3] - b[1]), 6);
  }
});

Deno.test("resolveOptions() refuses rotations that are not distinct quarter turns", () => {
  for (const bad of [[45], [360], [], [0, 0], ["90"], "90"]) {
    const r = resolveOptions({ rotations: bad as unknown as Rotation[] });
    assert(r._tag === "Left" && r.left._tag === "OptionError", JSON.stringify(bad));
    if (r._tag === "Left") assert(r.left.message.startsWith("rotations must list"), r.left.message);
  }
  const ok = resolveOptions({ rotations: [270, 0] });
  assert(ok._tag === "Right" && ok.right.rotations.join() === "270,0");
  const d = resolveOptions();
  assert(d._tag === "Right" && d.right.rotations.join() === "0");
});

const close = (a: number, b: number, what: string) =>
  assert(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);

/** The upright face `f` (xyxy) as it lies in the photo turned counter-clockwise by `a`. */
const expectedTurned = (f: Face, a: Rotation, w: number, h: number) => {
  const to = ccw(a, w, h);
  const [p, q] = [to(f.box[0], f.box[1]), to(f.box[2], f.box[3])];
  const box = [
    Math.min(p[0], q[0]),
    Math.min(p[1], q[1]),
    Math.max(p[0], q[0]),
    Math.max(p[1], q[1]),
  ];
  const keypoints = Object.fromEntries(
    // Landmarks are pixel positions: pixel (i, j) is at (i, j), its centre.
    Object.entries(f.keypoints!).map(([k, pt]) => {
      const [x, y] = to(pt[0] + 0.5, pt[1] + 0.5);
      return [k, [x - 0.5, y - 0.5]];
    }),
  );
  return { box, keypoints };
};

/** Checks that `turned` holds each upright face once, found at angle `a`, at its place. */
const assertTurnedBack = (
  upright: readonly Face[],
  turned: readonly Face[],
  a: Rotation,
  w: number,
  h: number,
  what: string,
) => {
  assertEquals(turned.length, upright.length, `${what}: face count`);
  for (const f of upright) {
    const e = expectedTurned(f, a, w, h);
    const g = turned.find((t) =>
      Math.abs(t.box[0] - e.box[0]) < 1 && Math.abs(t.box[1] - e.box[1]) < 1
    );
    assert(g, `${what}: no face near ${e.box}`);
    assertEquals(g.rotation, a, what);
    close(g.confidence, f.confidence, `${what} confidence`);
    e.box.forEach((v, i) => close(g.box[i], v, `${what} box[${i}]`));
    for (const [k, pt] of Object.entries(e.keypoints)) {
      const got = g.keypoints![k as keyof typeof g.keypoints];
      close(got[0], pt[0], `${what} ${k}.x`);
      close(got[1], pt[1], `${what} ${k}.y`);
    }
  }
};

Deno.test({
  name:
    "detect() with rotations 0,90,180,270 gives a photo's faces turned by 90, 180 and 270 back at their places with the same five points",
  fn: async () => {
    const d = await makeDetector({ boxFormat: "xyxy", clip: false });
    const before = tf.memory().numTensors;
    try {
      for (const file of [GROUP]) {
        const img = await loadImage(file);
        assert(img._tag === "Right");
        if (img._tag !== "Right") return;
        const { width: w, height: h } = img.right;
        const up = await d.detect(img.right);
        assert(up._tag === "Right" && up.right.faces.length > 0, file);
        if (up._tag !== "Right") return;
        assert(up.right.faces.every((f) => f.rotation === undefined), "no rotation by default");
        for (const a of [90, 180, 270] as const) {
          const photo = turnCcw(img.right, a);
          const r = await d.detect(photo, { rotations: [0, 90, 180, 270] });
          assert(r._tag === "Right");
          if (r._tag !== "Right") return;
          assertEquals([r.right.width, r.right.height], [photo.width, photo.height]);
          assertTurnedBack(up.right.faces, r.right.faces, a, w, h, `${file} at ${a}`);
          assert(r.right.timings.rotate >= 0);
          // Landmark names follow the face, so its aligned crop comes out upright.
          const f = up.right.faces[0];
          const g = r.right.faces.find((x) => Math.abs(x.confidence - f.confidence) < 1e-9)!;
          const x = alignFace(img.right, f.keypoints!, { size: 64 });
          const y = alignFace(photo, g.keypoints!, { size: 64 });
          assert(x._tag === "Right" && y._tag === "Right");
          if (x._tag !== "Right" || y._tag !== "Right") return;
          const diff = x.right.image.data.reduce((m, v, i) =>
            m + Math.abs(v - y.right.image.data[i]), 0) /
            x.right.image.data.length;
          assert(diff < 2, `${file} at ${a}: aligned crops differ by ${diff} per value`);
        }
      }
      assertEquals(tf.memory().numTensors, before);
    } finally {
      d.dispose();
    }
  },
});

Deno.test({
  name: "the worker detector with rotations gives exactly the in-thread detector's faces",
  fn: async () => {
    const options = { rotations: [0, 90, 180, 270] as Rotation[], clip: false };
    const local = await makeDetector(options);
    const pooled = await createDetector({
      weights: await defaultWeights(),
      ...options,
      workers: 2,
    });
    if (pooled._tag === "Left") throw new Error(pooled.left.message);
    const before = tf.memory().numTensors;
    try {
      const img = await loadImage(GROUP);
      assert(img._tag === "Right");
      if (img._tag !== "Right") return;
      const photo = turnCcw(img.right, 90);
      const a = await local.detect(photo);
      const b = await pooled.right.detect(photo);
      assert(a._tag === "Right" && b._tag === "Right");
      assertEquals(b.right.faces, a.right.faces);
      assertEquals(a.right.faces.length, 6);
      assert(a.right.faces.every((f) => f.rotation === 90), JSON.stringify(a.right.faces));
      assertEquals(tf.memory().numTensors, before);
    } finally {
      pooled.right.dispose();
      local.dispose();
    }
  },
});

Deno.test("detect --rotations with 45, 360, text or a repeated angle is a one-line usage error (exit 2)", async () => {
  const cases: [string, string][] = [
    ["45", "other angles are not supported), got 45"],
    ["360", "got 360"],
    ["ninety", "needs angles in degrees"],
    ["0,90,90", "lists an angle twice"],
    ["0,-90", "needs angles in degrees"],
  ];
  for (const [v, says] of cases) {
    const r = await runCli("detect", "--rotations", v, "x.jpg");
    assertEquals(r.code, 2, v);
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert(r.stderr.startsWith("error: --rotations") && r.stderr.includes(says), r.stderr);
    assertEquals(r.stdout, "");
  }
});

Deno.test({
  name: "detect --rotations 0,90,180,270 finds a turned photo's face and says its rotation",
  fn: async () => {
    const img = await loadImage(IVAN);
    assert(img._tag === "Right");
    if (img._tag !== "Right") return;
    const dir = await Deno.makeTempDir();
    try {
      // The photo turned counter-clockwise: the face's top is towards the left.
      const file = `${dir}/ivan_ccw90.png`;
      await Deno.writeFile(file, await rgbToImage(turnCcw(img.right, 90)).encode());
      const r = await runCli("detect", "--rotations", "0,90,180,270", file);
      assertEquals(r.code, 0, r.stderr);
      const faces = JSON.parse(r.stdout).faces;
      assertEquals(faces.length, 1, r.stdout);
      assertEquals(faces[0].rotation, 90);
      // The subject's anatomy: left_eye (on the left when upright) is now the lower eye.
      const { left_eye, right_eye, nose } = faces[0].keypoints;
      assert(left_eye[1] > right_eye[1] + 10, r.stdout);
      assert(nose[0] > Math.max(left_eye[0], right_eye[0]), "the nose is below the eyes, upright");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("the rotations stage in a custom cascade takes its angles as a parameter; bad ones are an OptionError", async () => {
  const img = await loadImage(IVAN);
  assert(img._tag === "Right");
  if (img._tag !== "Right") return;
  const photo = turnCcw(img.right, 180);
  const d = await makeDetector({
    stages: (nets, o) => rotations(faceAndLandmarks(nets, o), { angles: [180] }),
  });
  const bad = await makeDetector({
    stages: (nets, o) => rotations(faceAndLandmarks(nets, o), { angles: [45 as Rotation] }),
  });
  const before = tf.memory().numTensors;
  try {
    const r = await d.detect(photo);
    assert(r._tag === "Right" && r.right.faces.length === 1, JSON.stringify(r));
    if (r._tag === "Right") assertEquals(r.right.faces[0].rotation, 180);
    const e = await bad.detect(photo);
    assert(e._tag === "Left" && e.left._tag === "OptionError", JSON.stringify(e));
    if (e._tag === "Left") assert(e.left.message.startsWith("rotations: angles"), e.left.message);
    assertEquals(tf.memory().numTensors, before);
  } finally {
    d.dispose();
    bad.dispose();
  }
});
