import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "./_assert.ts";
import { useBackend } from "../mod.ts";
import { NET_SPECS, paramCount } from "../weights.ts";
import { disposeTensors, onet, pnet, rnet, toTensors } from "../train.ts";
import { defaultWeights } from "./_shared.ts";

Deno.test("paramCount() gives the guide's counts: PNet 6,632, RNet 100,178, ONet 389,040", () => {
  assertEquals(paramCount("pnet"), 6632);
  assertEquals(paramCount("rnet"), 100178);
  assertEquals(paramCount("onet"), 389040);
  assertEquals(NET_SPECS.onet.length, 21);
});

Deno.test("nets give the training guide's output shapes", async () => {
  await useBackend("auto");
  const w = await defaultWeights();
  const before = tf.memory().numTensors;
  const tp = toTensors(w.pnet), tr = toTensors(w.rnet), to = toTensors(w.onet);
  tf.tidy(() => {
    const p = pnet(tp)(tf.zeros([1, 100, 100, 3]));
    assertEquals([p.bbox.shape, p.prob.shape], [[1, 45, 45, 4], [1, 45, 45, 2]]);
    const r = rnet(tr)(tf.zeros([10, 24, 24, 3]));
    assertEquals([r.bbox.shape, r.prob.shape], [[10, 4], [10, 2]]);
    const o = onet(to)(tf.zeros([10, 48, 48, 3]));
    assertEquals([o.bbox.shape, o.landmarks.shape, o.prob.shape], [[10, 4], [10, 10], [10, 2]]);
  });
  disposeTensors(tp);
  disposeTensors(tr);
  disposeTensors(to);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("the wasm and cpu backends compute the same ONet outputs", async () => {
  const w = await defaultWeights();
  const x = new Float32Array(2 * 48 * 48 * 3).map((_, i) => Math.sin(i * 0.37));
  const run = async (backend: "wasm" | "cpu") => {
    const b = await useBackend(backend);
    if (b._tag === "Left") return undefined;
    const t = toTensors(w.onet);
    const out = tf.tidy(() => {
      const o = onet(t)(tf.tensor4d(x, [2, 48, 48, 3]));
      return tf.concat([o.bbox, o.landmarks, o.prob], 1);
    });
    const v = await out.data();
    out.dispose();
    disposeTensors(t);
    return v;
  };
  const cpu = await run("cpu");
  const wasm = await run("wasm");
  await useBackend("auto");
  if (!cpu || !wasm) {
    console.warn("wasm backend unavailable: cross-backend check skipped");
    return;
  }
  let maxDiff = 0;
  for (let i = 0; i < cpu.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(Number(cpu[i]) - Number(wasm[i])));
  }
  assertEquals(maxDiff < 1e-4, true, `max difference ${maxDiff}`);
});
