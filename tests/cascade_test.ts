import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/Either.js";
import { assert, assertEquals } from "./_assert.ts";
import type { Face } from "../mod.ts";
import {
  type CandidateState,
  cascade,
  crop,
  faceAndLandmarks,
  faceOnly,
  flip,
  localNets,
  output,
  propose,
  pyramid,
  refine,
  type Stage,
} from "../stages.ts";
import { defaultWeights, makeDetector } from "./_shared.ts";
import { GROUP, IVAN } from "./_faces.ts";

/** Intersection over the smaller of two [x, y, w, h] boxes. */
const overlap = (a: Face, b: Face): number => {
  const [ax, ay, aw, ah] = a.box, [bx, by, bw, bh] = b.box;
  const w = Math.max(0, Math.min(ax + aw, bx + bw) - Math.max(ax, bx));
  const h = Math.max(0, Math.min(ay + ah, by + bh) - Math.max(ay, by));
  return (w * h) / Math.min(aw * ah, bw * bh);
};

Deno.test("the faceOnly cascade gives one box per face, without keypoints", async () => {
  const d = await makeDetector({ cascade: "faceOnly" });
  const full = await makeDetector();
  const before = tf.memory().numTensors;
  const r = await d.detect(GROUP);
  const f = await full.detect(GROUP);
  assert(r._tag === "Right" && f._tag === "Right");
  assert(r.right.faces.every((x: Face) => x.keypoints === undefined));
  assertEquals(r.right.timings.onet, undefined);
  // Every face of the full cascade is found...
  assertEquals(f.right.faces.length, 6);
  for (const a of f.right.faces) assert(r.right.faces.some((b) => overlap(a, b) > 0.5));
  // ...once: RNet's several boxes per face are suppressed as ONet would have.
  for (const [i, a] of r.right.faces.entries()) {
    for (const b of r.right.faces.slice(i + 1)) assert(overlap(a, b) <= 0.7, "a duplicate box");
  }
  assertEquals(tf.memory().numTensors, before);
  d.dispose();
  full.dispose();
});

Deno.test("a custom cascade with an added stage runs every stage in order", async () => {
  const seen: string[] = [];
  const spy = <S extends CandidateState>(): Stage<S, S> => (s) => {
    seen.push(`${s.phase}:${s.candidates.count}`);
    return Promise.resolve(E.right(s));
  };
  const d = await makeDetector({
    stages: (n) =>
      cascade(
        pyramid(),
        propose(n.pnet),
        spy(),
        crop(24),
        refine(n.rnet),
        spy(),
        crop(48),
        output(n.onet),
      ),
  });
  const classic = await makeDetector();
  const before = tf.memory().numTensors;
  const a = await d.detect(GROUP);
  const b = await classic.detect(GROUP);
  assert(a._tag === "Right" && b._tag === "Right");
  assertEquals(a.right.faces, b.right.faces);
  assertEquals(seen.length, 2);
  assert(seen[0].startsWith("proposals:") && seen[1].startsWith("refined:"), seen.join());
  const [p, r] = seen.map((x) => Number(x.split(":")[1]));
  assert(p > r && r >= 6, seen.join());
  assertEquals(tf.memory().numTensors, before);
  d.dispose();
  classic.dispose();
});

Deno.test("a stage's parameters are its own arguments: a strict RNet keeps fewer candidates", async () => {
  const w = await defaultWeights();
  const nets = localNets(w);
  assert(nets._tag === "Right");
  const n = nets.right;
  const counts: number[] = [];
  for (const threshold of [0.5, 0.99]) {
    const d = await makeDetector({
      stages: () => cascade(pyramid(), propose(n.pnet), crop(24), refine(n.rnet, { threshold })),
    });
    const r = await d.detect(GROUP);
    assert(r._tag === "Right");
    counts.push(r.right.faces.length);
    d.dispose();
  }
  assert(counts[0] > counts[1], JSON.stringify(counts));
  n.dispose();
});

Deno.test("a bad stage parameter is an OptionError naming the stage, not a throw", async () => {
  const d = await makeDetector({
    stages: (n) => cascade(pyramid(), propose(n.pnet, { threshold: 2 })),
  });
  const r = await d.detect(IVAN);
  assert(r._tag === "Left" && r.left._tag === "OptionError", JSON.stringify(r));
  assert(r.left.message.includes("propose") && r.left.message.includes("threshold"));
  d.dispose();
});

Deno.test("a stage that throws gives a StageError and the detector goes on", async () => {
  const boom: Stage<CandidateState<"faces">, CandidateState<"faces">> = () => {
    throw new Error("my stage's bug");
  };
  const d = await makeDetector({
    stages: (n, o) => cascade(faceAndLandmarks(n, o), boom),
  });
  const before = tf.memory().numTensors;
  const r = await d.detect(IVAN);
  assert(r._tag === "Left" && r.left._tag === "StageError", JSON.stringify(r));
  assert(r.left.message.includes("my stage's bug"));
  assertEquals(tf.memory().numTensors, before);
  d.dispose();
});

Deno.test("the flip stage finds the faces of the image and of its mirror", async () => {
  let passes = 0;
  const count = <S extends CandidateState>(): Stage<S, S> => (s) => {
    passes++;
    return Promise.resolve(E.right(s));
  };
  const d = await makeDetector({ stages: (n, o) => flip(cascade(faceOnly(n, o), count())) });
  const plain = await makeDetector({ cascade: "faceOnly" });
  const a = await d.detect(GROUP);
  const b = await plain.detect(GROUP);
  assert(a._tag === "Right" && b._tag === "Right");
  assertEquals(passes, 2, "the cascade ran on the image and on its mirror");
  for (const f of b.right.faces) assert(a.right.faces.some((g) => overlap(f, g) > 0.5));
  for (const [i, f] of a.right.faces.entries()) {
    for (const g of a.right.faces.slice(i + 1)) assert(overlap(f, g) <= 0.7, "merged once");
  }
  d.dispose();
  plain.dispose();
});
