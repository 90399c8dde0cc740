import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/Either.js";
import { assert, assertEquals } from "./_assert.ts";
import { createDetector, useBackend } from "../mod.ts";
import { loadDefaultWeights } from "../weights.ts";
import { cascade, faceAndLandmarks, load, resolveOptions } from "../stages.ts";
import { runStage } from "../pipelines/compose.ts";
import { type Detection, toDetection } from "../pipelines/detection.ts";
import { type NetPoolInternals, startNetPoolWith } from "../pipelines/parallel/pool.ts";
import type { MtcnnWeights } from "../lib/weights/record.ts";
import type { MtcnnError } from "../lib/errors.ts";
import type { Result } from "../lib/result.ts";

const IMAGE = new URL("../fixtures/train/face_0.png", import.meta.url).pathname;
const DYING = new URL("./_dying_worker.ts", import.meta.url);
const REAL = new URL("../pipelines/parallel/worker.ts", import.meta.url);

await useBackend("wasm");
const weights = await loadDefaultWeights();
if (weights._tag === "Left") throw new Error(weights.left.message);
const W: MtcnnWeights = weights.right;

/** The default cascade on a pool started with `internals` (as a detector with workers runs it). */
const pooled = async (internals: NetPoolInternals) => {
  const pool = await startNetPoolWith(W, 2, "wasm", internals);
  if (pool._tag === "Left") throw new Error(pool.left.message);
  const o = resolveOptions({ minFaceSize: 12 });
  if (o._tag === "Left") throw new Error(o.left.message);
  const stage = cascade(load({ sharedMemory: true }), faceAndLandmarks(pool.right.nets, o.right));
  let disposed = false;
  return {
    detect: async (input: string): Promise<Result<MtcnnError, Detection>> => {
      if (disposed) return E.left({ _tag: "InputError", message: "disposed" } as MtcnnError);
      const r = await runStage(stage, input);
      return r._tag === "Left" ? r : E.right(toDetection(r.right, o.right));
    },
    detectMany: async (inputs: string[]): Promise<Result<MtcnnError, Detection>[]> => {
      const out: Result<MtcnnError, Detection>[] = [];
      for (const i of inputs) {
        const r = await runStage(stage, i);
        out.push(r._tag === "Left" ? r : E.right(toDetection(r.right, o.right)));
      }
      return out;
    },
    dispose: () => {
      disposed = true;
      pool.right.terminate();
    },
    /** A call straight to the pool after dispose (the detector above refuses before it). */
    pnetAfterDispose: () => runStage(stage, input0),
  };
};
const input0 = IMAGE;

/** The faces of the in-thread detector, the reference for a recovered pool. */
const reference = async (): Promise<string> => {
  const d = await createDetector({ weights: W, minFaceSize: 12 });
  if (d._tag === "Left") throw new Error(d.left.message);
  const r = await d.right.detect(IMAGE);
  d.right.dispose();
  assert(r._tag === "Right");
  return JSON.stringify(r._tag === "Right" ? r.right.faces : null);
};

Deno.test("a net worker that throws mid-batch fails that detection with a BackendError; the pool restarts it", async () => {
  const before = tf.memory().numTensors;
  const want = await reference();
  const spawned: number[] = [];
  const d = await pooled({
    spawn: (i) => {
      spawned.push(i);
      const first = spawned.filter((k) => k === i).length === 1;
      return new Worker(DYING, { type: "module", name: i === 0 && first ? "crash-on-pnet" : "ok" });
    },
  });
  try {
    const r = await d.detect(IMAGE);
    assert(r._tag === "Left", "the detection whose worker died fails");
    if (r._tag !== "Left") return;
    assertEquals(r.left._tag, "BackendError");
    assert(r.left.message.includes("net worker 1 stopped"), r.left.message);
    assert(r.left.message.includes("simulated crash"), r.left.message);
    // Later calls go to a fresh worker and give the in-thread detector's faces.
    for (let k = 0; k < 2; k++) {
      const again = await d.detect(IMAGE);
      assert(again._tag === "Right", again._tag === "Left" ? again.left.message : "");
      assertEquals(JSON.stringify(again._tag === "Right" ? again.right.faces : null), want);
    }
    assertEquals(spawned, [0, 1, 0]);
  } finally {
    d.dispose();
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("a net worker terminated mid-batch: the call fails after the stall limit, no hang, and the pool recovers", async () => {
  const want = await reference();
  let killNext = true;
  const workers: Worker[] = [];
  const d = await pooled({
    stallMs: 1500,
    spawn: () => {
      const w = new Worker(REAL, { type: "module" });
      workers.push(w);
      const post = w.postMessage.bind(w);
      // Terminate the first worker right after it is handed its PNet levels.
      w.postMessage = ((m: { kind?: string }, t?: Transferable[]) => {
        post(m, t ?? []);
        if (m?.kind === "pnet" && killNext && workers[0] === w) {
          killNext = false;
          w.terminate();
        }
      }) as Worker["postMessage"];
      return w;
    },
  });
  try {
    const t0 = performance.now();
    const r = await d.detect(IMAGE);
    const waited = performance.now() - t0;
    assert(r._tag === "Left");
    if (r._tag !== "Left") return;
    assertEquals(r.left._tag, "BackendError");
    assert(r.left.message.includes("did not answer in 1.5 s"), r.left.message);
    assert(waited >= 1400 && waited < 20_000, `${waited} ms`);
    assertEquals(workers.length, 3, "the terminated worker was replaced");
    const again = await d.detectMany([IMAGE, IMAGE]);
    assertEquals(again.map((x) => x._tag), ["Right", "Right"]);
    assertEquals(JSON.stringify(again[0]._tag === "Right" ? again[0].right.faces : null), want);
  } finally {
    d.dispose();
  }
});

Deno.test("a slot whose workers keep dying fails every later call at once with a BackendError", async () => {
  const d = await pooled({
    maxRestarts: 1,
    spawn: (i) => new Worker(DYING, { type: "module", name: i === 0 ? "crash-on-pnet" : "ok" }),
  });
  try {
    const results = [];
    for (let k = 0; k < 4; k++) results.push(await d.detect(IMAGE));
    assert(results.every((r) => r._tag === "Left" && r.left._tag === "BackendError"));
    const last = results[3];
    assert(
      last._tag === "Left" && last.left.message.includes("takes no more work"),
      JSON.stringify(last),
    );
  } finally {
    d.dispose();
  }
  // After dispose, calls to the pool fail too (no hang).
  const after = await d.pnetAfterDispose();
  assert(after._tag === "Left" && after.left._tag === "BackendError", JSON.stringify(after));
});
