import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { createDetector } from "../mod.ts";
import { balance } from "../pipelines/parallel/pool.ts";
import { defaultWeights, makeDetector } from "./_shared.ts";
import { ASTRONAUT, GROUP, IVAN } from "./_faces.ts";

Deno.test("balance() gives the largest items to the least loaded groups", () => {
  const groups = balance([50, 25, 12, 6, 3, 2], (x) => x, 2);
  assertEquals(groups, [[50], [25, 12, 6, 3, 2]]);
  assertEquals(balance([1, 1, 1, 1], (x) => x, 2).map((g) => g.length), [2, 2]);
});

Deno.test({
  name: "a worker detector gives exactly the in-thread detector's faces",
  fn: async () => {
    const local = await makeDetector();
    const pooled = await createDetector({ weights: await defaultWeights(), workers: 2 });
    if (pooled._tag === "Left") throw new Error(pooled.left.message);
    const before = tf.memory().numTensors;
    try {
      for (
        const f of [
          GROUP,
          ASTRONAUT,
          IVAN,
        ]
      ) {
        const a = await local.detect(f);
        const b = await pooled.right.detect(f);
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
    const after = await pooled.right.detect(IVAN);
    assert(after._tag === "Left" && after.left.message.includes("disposed"));
  },
});

Deno.test("createDetector() refuses a bad worker count with an OptionError", async () => {
  const r = await createDetector({ weights: await defaultWeights(), workers: 0.5 });
  assert(r._tag === "Left" && r.left._tag === "OptionError", JSON.stringify(r));
});

Deno.test("a custom stage list runs on the workers with the same faces as in this thread", async () => {
  const { cascade, crop, output, propose, pyramid, refine } = await import("../stages.ts");
  const custom = { minFaceSize: 30 };
  const stages = (n: import("../stages.ts").Nets) =>
    cascade(
      pyramid(custom),
      propose(n.pnet, { threshold: 0.7 }),
      crop(24),
      refine(n.rnet),
      crop(48, { padding: "zeros" }),
      output(n.onet),
    );
  const local = await makeDetector({ stages });
  const pooled = await createDetector({ weights: await defaultWeights(), workers: 2, stages });
  if (pooled._tag === "Left") throw new Error(pooled.left.message);
  try {
    const a = await local.detect(GROUP);
    const b = await pooled.right.detect(GROUP);
    assert(a._tag === "Right" && b._tag === "Right");
    assertEquals(a.right.faces.length, 6);
    assertEquals(b.right.faces, a.right.faces);
  } finally {
    pooled.right.dispose();
    local.dispose();
  }
});
