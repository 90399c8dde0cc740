import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { createDetector, useBackend } from "../mod.ts";
import { loadDefaultWeights } from "../weights.ts";
import { cascade, faceAndLandmarks, load, resolveOptions } from "../stages.ts";
import { runStage } from "../pipelines/compose.ts";
import { toDetection } from "../pipelines/detection.ts";
import { startNetPoolWith } from "../pipelines/parallel/pool.ts";
import type { Nets } from "../pipelines/nets/types.ts";
import { ASTRONAUT, GROUP, IVAN } from "./_faces.ts";

const DYING = new URL("./_dying_worker.ts", import.meta.url);
await useBackend("wasm");
const weights = await loadDefaultWeights();
if (weights._tag === "Left") throw new Error(weights.left.message);
const W = weights.right;
const options = resolveOptions({});
if (options._tag === "Left") throw new Error(options.left.message);
const O = options.right;

/** Faces of `input` with the default cascade on `nets`, as JSON (or the error's tag). */
const facesOn = async (nets: Nets, input: string): Promise<string> => {
  const r = await runStage(cascade(load({ sharedMemory: true }), faceAndLandmarks(nets, O)), input);
  return r._tag === "Left" ? r.left._tag : JSON.stringify(toDetection(r.right, O).faces);
};

/** The in-thread detector's faces, the reference. */
const reference = async (inputs: string[]): Promise<string[]> => {
  const d = await createDetector({ weights: W });
  if (d._tag === "Left") throw new Error(d.left.message);
  const out = [];
  for (const i of inputs) {
    const r = await d.right.detect(i);
    out.push(r._tag === "Left" ? r.left._tag : JSON.stringify(r.right.faces));
  }
  d.right.dispose();
  return out;
};

Deno.test("each worker's lane runs whole images, several at once, with the in-thread faces", async () => {
  const inputs = [GROUP, ASTRONAUT, IVAN, GROUP];
  const want = await reference(inputs);
  const pool = await startNetPoolWith(W, 2, "wasm", {});
  if (pool._tag === "Left") throw new Error(pool.left.message);
  const before = tf.memory().numTensors;
  try {
    const { lanes } = pool.right;
    assertEquals(lanes.length, 2);
    const got = await Promise.all(inputs.map((f, i) => facesOn(lanes[i % 2], f)));
    assertEquals(got, want);
    assertEquals(JSON.parse(got[0]).length, 6);
  } finally {
    pool.right.terminate();
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("a lane worker that dies fails only the image it ran (BackendError); the other lane's image is found and the lane recovers", async () => {
  const [want] = await reference([GROUP]);
  const spawned: number[] = [];
  const pool = await startNetPoolWith(W, 2, "wasm", {
    shareIdle: false, // each lane's calls on its own worker, whichever image starts first
    spawn: (i) => {
      spawned.push(i);
      const first = spawned.filter((k) => k === i).length === 1;
      return new Worker(DYING, { type: "module", name: i === 0 && first ? "crash-on-pnet" : "ok" });
    },
  });
  if (pool._tag === "Left") throw new Error(pool.left.message);
  try {
    const { lanes } = pool.right;
    const [dead, alive] = await Promise.all([facesOn(lanes[0], GROUP), facesOn(lanes[1], GROUP)]);
    assertEquals(dead, "BackendError");
    assertEquals(alive, want);
    assertEquals(await facesOn(lanes[0], GROUP), want, "lane 0 runs on a fresh worker");
    assertEquals(spawned, [0, 1, 0]);
  } finally {
    pool.right.terminate();
  }
});

Deno.test("an image alone on a lane is shared with the idle worker, with the same faces", async () => {
  const [want] = await reference([GROUP]);
  const kinds: string[][] = [[], []];
  const pool = await startNetPoolWith(W, 2, "wasm", {
    spawn: (i) => {
      const w = new Worker(new URL("../pipelines/parallel/worker.ts", import.meta.url), {
        type: "module",
      });
      const post = w.postMessage.bind(w);
      w.postMessage = ((m: { kind: string }, t?: Transferable[]) => {
        kinds[i].push(m.kind);
        post(m, t ?? []);
      }) as Worker["postMessage"];
      return w;
    },
  });
  if (pool._tag === "Left") throw new Error(pool.left.message);
  try {
    assertEquals(await facesOn(pool.right.lanes[1], GROUP), want);
    assert(kinds[0].includes("pnet") && kinds[1].includes("pnet"), JSON.stringify(kinds));
  } finally {
    pool.right.terminate();
  }
});

Deno.test("detectEach with two workers keeps several images in flight: in-thread faces, in order, a bad input failing alone", async () => {
  const inputs = [GROUP, IVAN, "no/such/file.jpg", ASTRONAUT, GROUP, IVAN, GROUP];
  const want = await reference(inputs);
  const d = await createDetector({ weights: W, workers: 2 });
  if (d._tag === "Left") throw new Error(d.left.message);
  const before = tf.memory().numTensors;
  try {
    const got: string[] = [];
    const order: number[] = [];
    for await (const item of d.right.detectEach(inputs)) {
      order.push(item.index);
      const r = item.result;
      got.push(r._tag === "Left" ? r.left._tag : JSON.stringify(r.right.faces));
    }
    assertEquals(order, [0, 1, 2, 3, 4, 5, 6]);
    assertEquals(got, want);
    assertEquals(got[2], "IoError");
    // Concurrent detect calls (as the command line and the queue make) agree too.
    const concurrent = await Promise.all(inputs.map((f) => d.right.detect(f)));
    assertEquals(
      concurrent.map((r) => r._tag === "Left" ? r.left._tag : JSON.stringify(r.right.faces)),
      want,
    );
  } finally {
    d.right.dispose();
  }
  assert(tf.memory().numTensors <= before);
});
