import * as tf from "@tensorflow/tfjs";
import { assert } from "./_assert.ts";
import { runParity } from "../bench/parity.ts";
import { useBackend } from "../mod.ts";
import { HAS_SHARED, noteSharedSkip } from "./_shared.ts";

noteSharedSkip("parity_test.ts");

Deno.test({
  name: "the default cascade agrees with facenet-pytorch on its 230 reference images",
  ignore: !HAS_SHARED,
  fn: async () => {
    await useBackend("auto");
    const before = tf.memory().numTensors;
    const { report: r, disagreements } = await runParity("clamp");
    const info = JSON.stringify(r) + "\n" + disagreements.join("\n");
    assert(r.images === 230, info);
    assert(r.confidentRefFound >= 0.99 && r.confidentOursInRef >= 0.99, info);
    assert(r.refFound >= 0.95, info);
    assert(r.oursInRef >= 0.90, info);
    assert(r.landmarkError <= 0.05, info);
    assert(r.scoreDiff <= 0.02, info);
    assert(tf.memory().numTensors === before, "tensor leak");
  },
});
