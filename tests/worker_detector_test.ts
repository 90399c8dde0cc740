import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { createWorkerDetector } from "../mod.ts";
import { balance } from "../pipelines/parallel/pool.ts";
import { defaultWeights, HAS_SHARED, makeDetector, noteSharedSkip, sharedData } from "./_shared.ts";

noteSharedSkip("worker_detector_test.ts");

Deno.test("balance() gives the largest items to the least loaded groups", () => {
  const groups = balance([50, 25, 12, 6, 3, 2], (x) => x, 2);
  assertEquals(groups, [[50], [25, 12, 6, 3, 2]]);
  assertEquals(balance([1, 1, 1, 1], (x) => x, 2).map((g) => g.length), [2, 2]);
});

Deno.test({
  name: "a worker detector gives exactly the in-thread detector's faces",
  ignore: !HAS_SHARED,
  fn: async () => {
    const local = await makeDetector();
    const pooled = await createWorkerDetector(await defaultWeights(), { workers: 2 })();
    if (pooled._tag === "Left") throw new Error(pooled.left.message);
    const before = tf.memory().numTensors;
    try {
      for (
        const f of [
          "peer_tests/faceapi_faces.jpg",
          "bench/group_1280x720.jpg",
          "peer_tests/no-faces.jpg",
        ]
      ) {
        const a = await local.detect(sharedData(f));
        const b = await pooled.right.detect(sharedData(f));
        assert(a._tag === "Right" && b._tag === "Right", f);
        assertEquals(b.right.faces, a.right.faces, f);
      }
      const bad = await pooled.right.detect(new Uint8Array([0xff, 0xd8, 0xff, 0, 1]));
      assertEquals(bad._tag, "Left");
      assertEquals(tf.memory().numTensors, before);
    } finally {
      pooled.right.dispose();
      local.dispose();
    }
    const after = await pooled.right.detect(sharedData("peer_tests/ivan.jpg"));
    assert(after._tag === "Left" && after.left.message.includes("disposed"));
  },
});

Deno.test("createWorkerDetector() refuses a bad worker count with an OptionError", async () => {
  const r = await createWorkerDetector(await defaultWeights(), { workers: 0.5 })();
  assert(r._tag === "Left" && r.left._tag === "OptionError", JSON.stringify(r));
});
