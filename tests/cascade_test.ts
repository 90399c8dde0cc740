import * as tf from "@tensorflow/tfjs";
import * as TE from "fp-ts/TaskEither.js";
import { assert, assertEquals } from "./_assert.ts";
import {
  crop,
  type Face,
  output,
  outputCrops,
  propose,
  pyramid,
  refine,
  refineCrops,
  type Stage,
} from "../mod.ts";
import { HAS_SHARED, makeDetector, noteSharedSkip, sharedData } from "./_shared.ts";

noteSharedSkip("cascade_test.ts");

const IMAGE = "peer_tests/faceapi_faces.jpg";

Deno.test({
  name: "the faceOnly cascade gives boxes and confidences without keypoints",
  ignore: !HAS_SHARED,
  fn: async () => {
    const d = await makeDetector({ cascade: "faceOnly" });
    const before = tf.memory().numTensors;
    const r = await d.detect(sharedData(IMAGE));
    assert(r._tag === "Right");
    assert(r.right.faces.length >= 6, `${r.right.faces.length} faces`);
    assert(r.right.faces.every((f: Face) => f.keypoints === undefined));
    assertEquals(r.right.timings.onet, undefined);
    assertEquals(tf.memory().numTensors, before);
    d.dispose();
  },
});

Deno.test({
  name: "a custom cascade with an added stage runs every stage in order",
  ignore: !HAS_SHARED,
  fn: async () => {
    const seen: number[] = [];
    const spy: Stage = (s) => {
      seen.push(s.candidates.count);
      return TE.right(s);
    };
    const d = await makeDetector({
      stages: (t) => [pyramid, propose(t.pnet), spy, refine(t.rnet), spy, output(t.onet)],
    });
    const classic = await makeDetector();
    const before = tf.memory().numTensors;
    const a = await d.detect(sharedData(IMAGE));
    const b = await classic.detect(sharedData(IMAGE));
    assert(a._tag === "Right" && b._tag === "Right");
    assertEquals(a.right.faces, b.right.faces);
    assertEquals(seen.length, 2);
    assert(seen[0] > seen[1] && seen[1] >= 6, JSON.stringify(seen));
    assertEquals(tf.memory().numTensors, before);
    d.dispose();
    classic.dispose();
  },
});

Deno.test({
  name: "a stage that needs crops fails with a typed error when its crop stage is missing",
  ignore: !HAS_SHARED,
  fn: async () => {
    const d = await makeDetector({
      stages: (t) => [pyramid, propose(t.pnet), refineCrops(t.rnet)],
    });
    const r = await d.detect(sharedData(IMAGE));
    assert(r._tag === "Left" && r.left._tag === "InputError", JSON.stringify(r));
    assert(r.left.message.includes("crop(24)"), r.left.message);
    d.dispose();
    const d2 = await makeDetector({
      stages: (
        t,
      ) => [pyramid, propose(t.pnet), crop(24), refineCrops(t.rnet), crop(48), outputCrops(t.onet)],
    });
    const r2 = await d2.detect(sharedData(IMAGE));
    assert(r2._tag === "Right" && r2.right.faces.length === 6);
    d2.dispose();
  },
});
