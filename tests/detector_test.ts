import * as tf from "@tensorflow/tfjs";
import { Image } from "imagescript";
import { assert, assertEquals } from "./_assert.ts";
import type { Detection, Face, MtcnnError, Result } from "../mod.ts";
import { iou } from "../lib/nms.ts";
import { loadImage } from "../stages.ts";
import { ASTRONAUT, GROUP, IVAN } from "./_faces.ts";
import { HAS_SHARED, makeDetector, noteSharedSkip, sharedData } from "./_shared.ts";

noteSharedSkip("detector_test.ts");

const ok = (r: Result<MtcnnError, Detection>): Detection => {
  if (r._tag === "Left") throw new Error(r.left.message);
  return r.right;
};

const xyxy = (f: Face): number[] => [f.box[0], f.box[1], f.box[0] + f.box[2], f.box[1] + f.box[3]];

Deno.test({
  name: "detect() finds the one face of ivan.jpg at the Python package's README box",
  fn: async () => {
    const d = await makeDetector();
    const before = tf.memory().numTensors;
    const r = ok(await d.detect(IVAN));
    assertEquals(r.faces.length, 1);
    const v = iou(xyxy(r.faces[0]), [277, 90, 277 + 48, 90 + 63]);
    assert(v >= 0.8, `IoU ${v} with [277, 90, 48, 63]`);
    assert(r.faces[0].keypoints !== undefined, "keypoints");
    assertEquals(tf.memory().numTensors, before);
    d.dispose();
  },
});

Deno.test({
  name: "detect() finds no face in no-faces.jpg and faceapi_white.png",
  ignore: !HAS_SHARED,
  fn: async () => {
    const d = await makeDetector();
    const before = tf.memory().numTensors;
    for (const f of ["no-faces.jpg", "faceapi_white.png"]) {
      const r = ok(await d.detect(sharedData(`peer_tests/${f}`)));
      assertEquals(r.faces.length, 0, f);
    }
    assertEquals(tf.memory().numTensors, before);
    d.dispose();
  },
});

Deno.test({
  name: "detect() puts faceapi_faces.jpg's 6 faces' landmarks within 12 px of face-api.js's",
  ignore: !HAS_SHARED,
  fn: async () => {
    const d = await makeDetector();
    const before = tf.memory().numTensors;
    const r = ok(await d.detect(sharedData("peer_tests/faceapi_faces.jpg")));
    const expected = JSON.parse(
      await Deno.readTextFile(sharedData("peer_tests/faceapi_faces_mtcnn_landmarks.json")),
    ) as { x: number; y: number }[][];
    assertEquals(r.faces.length, 6);
    for (const pts of expected) {
      // the face whose left eye is nearest to the expected one
      const f = r.faces.reduce((best, f) =>
        Math.hypot(f.keypoints!.left_eye[0] - pts[0].x, f.keypoints!.left_eye[1] - pts[0].y) <
            Math.hypot(
              best.keypoints!.left_eye[0] - pts[0].x,
              best.keypoints!.left_eye[1] - pts[0].y,
            )
          ? f
          : best
      );
      const ours = Object.values(f.keypoints!);
      pts.forEach((p, k) => {
        const dist = Math.hypot(ours[k][0] - p.x, ours[k][1] - p.y);
        assert(dist <= 12, `landmark ${k} is ${dist.toFixed(1)} px from face-api.js's`);
      });
    }
    assertEquals(tf.memory().numTensors, before);
    d.dispose();
  },
});

Deno.test({
  name: "bytes, path, imagescript Image, RGB and tensor inputs give identical results",
  fn: async () => {
    const d = await makeDetector();
    const path = GROUP;
    const bytes = await Deno.readFile(path);
    const before = tf.memory().numTensors;
    const rgb = await loadImage(bytes);
    assert(rgb._tag === "Right");
    // The same pixels as an imagescript Image (its own JPEG decoder differs from MozJPEG's).
    const img = new Image(rgb.right.width, rgb.right.height);
    for (let i = 0; i < rgb.right.width * rgb.right.height; i++) {
      img.bitmap.set(rgb.right.data.subarray(3 * i, 3 * i + 3), 4 * i);
      img.bitmap[4 * i + 3] = 255;
    }
    const tensor = tf.tensor3d(rgb.right.data, [rgb.right.height, rgb.right.width, 3], "int32");
    const results = [
      ok(await d.detect(path)),
      ok(await d.detect(bytes)),
      ok(await d.detect(img)),
      ok(await d.detect(rgb.right)),
      ok(await d.detect(tensor)),
    ];
    tensor.dispose();
    for (const r of results.slice(1)) assertEquals(r.faces, results[0].faces);
    assertEquals(tf.memory().numTensors, before);
    d.dispose();
  },
});

Deno.test({
  name:
    "detectMany() on images of different sizes equals one-by-one detection; failures stay local",
  fn: async () => {
    const d = await makeDetector();
    const before = tf.memory().numTensors;
    const inputs = [
      IVAN,
      GROUP,
      new Uint8Array([1, 2, 3]),
      ASTRONAUT,
    ];
    const many = await d.detectMany(inputs);
    assertEquals(many.map((r) => r._tag), ["Right", "Right", "Left", "Right"]);
    for (const [i, input] of inputs.entries()) {
      const one = await d.detect(input);
      const m = many[i];
      if (one._tag === "Left" || m._tag === "Left") assertEquals(one, m);
      else assertEquals([one.right.width, one.right.faces], [m.right.width, m.right.faces]);
    }
    assertEquals(tf.memory().numTensors, before);
    d.dispose();
  },
});

Deno.test({
  name: "50 detections leave no tensor behind and concurrent calls match sequential ones",
  fn: async () => {
    const d = await makeDetector();
    const bytes = await Deno.readFile(GROUP);
    const first = ok(await d.detect(bytes));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) ok(await d.detect(bytes));
    assertEquals(tf.memory().numTensors, before);
    const parallel = await Promise.all([d.detect(bytes), d.detect(bytes), d.detect(bytes)]);
    for (const r of parallel) assertEquals(ok(r).faces, first.faces);
    d.dispose();
  },
});

Deno.test({
  name: "downscaleLargeImages detects on a smaller copy and reports full-size coordinates",
  fn: async () => {
    const d = await makeDetector();
    const path = GROUP;
    const before = tf.memory().numTensors;
    const full = ok(await d.detect(path));
    const refused = await d.detect(path, { maxPixels: 150_000 });
    assert(refused._tag === "Left" && refused.left._tag === "InputError");
    const small = ok(await d.detect(path, { maxPixels: 150_000, downscaleLargeImages: true }));
    assertEquals([small.width, small.height], [640, 480]);
    assertEquals(small.faces.length, full.faces.length);
    for (const f of full.faces) {
      const best = Math.max(...small.faces.map((g) => iou(xyxy(f), xyxy(g))));
      assert(best >= 0.7, `IoU ${best}`);
    }
    assertEquals(tf.memory().numTensors, before);
    d.dispose();
  },
});
