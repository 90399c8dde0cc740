import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { createDetector, useBackend } from "../mod.ts";
import { loadDefaultWeights } from "../weights.ts";
import { cascade, faceAndLandmarks, load, resolveOptions } from "../stages.ts";
import { runStage } from "../pipelines/compose.ts";
import { toDetection } from "../pipelines/detection.ts";
import { startNetPoolWith } from "../pipelines/parallel/pool.ts";
import { NET_WORKER_URL } from "../pipelines/parallel/worker_urls.ts";
import type { Nets } from "../pipelines/nets/types.ts";
import { localNet } from "../pipelines/nets/local.ts";
import { summedAreaTable } from "../lib/area_resample.ts";
import { loadImage } from "../stages.ts";
import { pyramidLevels } from "../lib/pyramid.ts";
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

/**
 * A pool of 2 real net workers whose messages' kinds are recorded per worker (`kinds[i]`), with
 * sharing between lanes on or off.
 */
const recordingPool = async (shareIdle: boolean) => {
  const kinds: string[][] = [[], []];
  const started = await startNetPoolWith(W, 2, "wasm", {
    shareIdle,
    spawn: (i) => {
      const w = new Worker(NET_WORKER_URL, { type: "module" });
      const post = w.postMessage.bind(w);
      w.postMessage = ((m: { kind: string }, t?: Transferable[]) => {
        kinds[i].push(m.kind);
        post(m, t ?? []);
      }) as Worker["postMessage"];
      return w;
    },
  });
  if (started._tag === "Left") throw new Error(started.left.message);
  return { pool: started.right, kinds };
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
  const { pool, kinds } = await recordingPool(true);
  try {
    assertEquals(await facesOn(pool.lanes[1], GROUP), want);
    assert(kinds[0].includes("pnet") && kinds[1].includes("pnet"), JSON.stringify(kinds));
  } finally {
    pool.terminate();
  }
});

Deno.test("a lane's queued calls go to a worker that has nothing to do, with the in-thread heads; not when sharing is off", async () => {
  const img = await loadImage(GROUP);
  if (img._tag === "Left") throw new Error(img.left.message);
  const { width, height } = img.right;
  // 4096 RNet crops (16 pieces of 256), cut from the image's shared table.
  const count = 4096;
  const rects = new Int32Array(4 * count);
  for (let k = 0, seed = 7; k < count; k++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const side = 12 + (seed % 60);
    rects.set([(seed >> 8) % (width - side), (seed >> 4) % (height - side), side, side], 4 * k);
  }
  const batch = { size: 24 as const, count, rects, sat: summedAreaTable(img.right, true) };
  const local = localNet("rnet", W.rnet);
  if (local._tag === "Left") throw new Error(local.left.message);
  const want = await local.right.run({ ...batch, sat: summedAreaTable(img.right) });
  local.right.dispose();
  const small = pyramidLevels(width, height, 200, 0.709).slice(-1);
  for (const shareIdle of [true, false]) {
    const { pool, kinds } = await recordingPool(shareIdle);
    try {
      // Worker 2 is busy (a small PNet level of lane 2) when lane 1's batch is queued, so the
      // batch is not cut in shares; worker 2 then finds lane 1's pieces waiting.
      const busy = pool.lanes[1].pnet.run(batch.sat, small, 0.6, 0.5);
      const got = await pool.lanes[0].rnet.run(batch);
      await busy;
      for (const k of Object.keys(want) as (keyof typeof want)[]) {
        assertEquals([...got[k]], [...want[k]], `${k}: the in-thread heads`);
      }
      const stolen = kinds[1].filter((k) => k === "rnet").length;
      if (shareIdle) assert(stolen > 0, `worker 2 took no piece: ${JSON.stringify(kinds)}`);
      else assertEquals(stolen, 0, "with sharing off, lane 1's calls stay on worker 1");
      assertEquals(kinds[0].filter((k) => k === "rnet").length + stolen, 16, "16 pieces");
    } finally {
      pool.terminate();
    }
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
