import { assert, assertEquals } from "./_assert.ts";
import type { Face } from "../lib/face.ts";
import { assignMinCost } from "../lib/track/assignment.ts";
import { createTracker as create } from "../lib/track/create_tracker.ts";
import { checkTrackerOptions, type TrackerOptions } from "../lib/track/tracker.ts";

/** A tracker (the options are valid in these tests). */
const createTracker = (options?: TrackerOptions) => {
  const t = create(options);
  if (t._tag === "Left") throw new Error(t.left.message);
  return t.right;
};

/** A face of side `s` centred at (cx, cy), landmarks of a frontal face. */
const face = (cx: number, cy: number, s = 40, confidence = 0.99): Face => ({
  box: [cx - s / 2, cy - s / 2, s, s],
  confidence,
  keypoints: {
    left_eye: [cx - 0.2 * s, cy - 0.15 * s],
    right_eye: [cx + 0.2 * s, cy - 0.15 * s],
    nose: [cx, cy + 0.05 * s],
    mouth_left: [cx - 0.15 * s, cy + 0.25 * s],
    mouth_right: [cx + 0.15 * s, cy + 0.25 * s],
  },
});

/** Runs a tracker over frames of faces; returns each frame's ids in the order given. */
const track = (frames: readonly (readonly Face[])[], options?: TrackerOptions) => {
  const t = createTracker(options);
  return frames.map((f) => t.update(f, { width: 320, height: 240 }).map((x) => x.track));
};

Deno.test("assignMinCost() finds the cheapest pairing where greedy would not", () => {
  // Greedy takes (0,0)=1 first and then must pay 10 for (1,1): 11; the optimum is 2 + 3 = 5.
  assertEquals(assignMinCost([[1, 2], [3, 10]]), [[0, 1], [1, 0]]);
  assertEquals(assignMinCost([]), []);
  // Rectangular, and forbidden pairs are never returned.
  assertEquals(assignMinCost([[Infinity, 1, 5]]), [[0, 1]]);
  assertEquals(assignMinCost([[Infinity], [Infinity]]), []);
  assertEquals(assignMinCost([[4], [1], [3]]), [[1, 0]]);
  // Against brute force on random 5x5 matrices with forbidden pairs.
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let trial = 0; trial < 50; trial++) {
    const c = Array.from(
      { length: 5 },
      () => Array.from({ length: 5 }, () => (rand() < 0.2 ? Infinity : Math.round(rand() * 100))),
    );
    const got = assignMinCost(c);
    const score = (pairs: [number, number][]) =>
      [pairs.length, -pairs.reduce((s, [i, j]) => s + c[i][j], 0)] as const;
    let best = [0, 0] as readonly [number, number];
    const perm = (row: number, used: number[], pairs: [number, number][]): void => {
      if (row === 5) {
        const s = score(pairs);
        if (s[0] > best[0] || (s[0] === best[0] && s[1] > best[1])) best = s;
        return;
      }
      perm(row + 1, used, pairs);
      for (let j = 0; j < 5; j++) {
        if (!used.includes(j) && Number.isFinite(c[row][j])) {
          perm(row + 1, [...used, j], [...pairs, [row, j]]);
        }
      }
    };
    perm(0, [], []);
    assertEquals(score(got), best, `trial ${trial}`);
  }
});

Deno.test("tracker keeps one id per face as it pans and zooms, in any detection order", () => {
  const frames = Array.from({ length: 30 }, (_, i) => {
    const a = face(40 + 6 * i, 60, 40 * (1 + 0.02 * i)); // pans right and grows
    const b = face(260 - 2 * i, 180, 50);
    return i % 2 ? [a, b] : [b, a];
  });
  const ids = track(frames);
  // Frame 0 gives b id 1 (first in order) and a id 2.
  for (const [i, f] of ids.entries()) assertEquals(i % 2 ? f : [f[1], f[0]], [2, 1], `frame ${i}`);
});

Deno.test("tracker: two faces crossing keep their ids, also when one hides the other", () => {
  // A moves right, B moves left on the same line; they overlap around frame 15, where the
  // detector sees only the face in front (A) for 4 frames.
  const frames = Array.from({ length: 30 }, (_, i) => {
    const a = face(40 + 8 * i, 120), b = face(280 - 8 * i, 124);
    return i >= 13 && i <= 16 ? [a] : [a, b];
  });
  const ids = track(frames);
  for (const [i, f] of ids.entries()) {
    assertEquals(f, i >= 13 && i <= 16 ? [1] : [1, 2], `frame ${i}`);
  }
});

Deno.test("tracker: a face hidden for a few frames keeps its id; a new face gets a new one", () => {
  const frames: Face[][] = [];
  for (let i = 0; i < 30; i++) {
    const f = [face(50 + 5 * i, 100)];
    if (i >= 10 && i < 16) f.length = 0; // occluded for 6 frames, still moving
    if (i >= 20) f.push(face(250, 200, 36)); // someone new enters
    frames.push(f);
  }
  const ids = track(frames);
  for (const [i, f] of ids.entries()) {
    assertEquals(f, i >= 10 && i < 16 ? [] : i >= 20 ? [1, 2] : [1], `frame ${i}`);
  }
});

Deno.test("tracker: a face leaving the frame and coming back soon keeps its id", () => {
  // Walks right out of the 320-wide frame, is gone for 8 frames, walks back in.
  const frames: Face[][] = [];
  for (let i = 0; i < 20; i++) frames.push([face(200 + 8 * i, 120)]); // last centre 352
  for (let i = 0; i < 8; i++) frames.push([]);
  for (let i = 0; i < 10; i++) frames.push([face(300 - 8 * i, 120)]);
  const ids = track(frames).filter((f) => f.length > 0);
  assert(ids.every((f) => f[0] === 1), JSON.stringify(ids));
});

Deno.test("tracker: ids are never reused: a face back after its memory gets a new id", () => {
  const frames: Face[][] = [];
  for (let i = 0; i < 5; i++) frames.push([face(100, 100)]);
  for (let i = 0; i < 6; i++) frames.push([]);
  for (let i = 0; i < 5; i++) frames.push([face(100, 100)]);
  for (let i = 0; i < 6; i++) frames.push([]);
  for (let i = 0; i < 5; i++) frames.push([face(100, 100)]);
  const t = createTracker({ maxMissed: 5 });
  const ids = frames.map((f) => t.update(f).map((x) => x.track)).filter((f) => f.length > 0);
  assertEquals(ids.map((f) => f[0]), [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
  assertEquals(t.state.nextId, 4);
  // With memory enough, the same face keeps id 1 throughout.
  const t2 = createTracker({ maxMissed: 6 });
  assert(frames.every((f) => t2.update(f).every((x) => x.track === 1)));
});

Deno.test("tracker: landmarks decide between two detections that overlap a track equally", () => {
  const t = createTracker();
  t.update([face(100, 100)]);
  const same = face(104, 100); // same face, moved right
  const other = face(96, 100); // same box shift to the left, but a face turned: landmarks moved
  const k = other.keypoints!;
  const turned: Face = {
    ...other,
    keypoints: {
      left_eye: [k.left_eye[0] - 12, k.left_eye[1] + 6],
      right_eye: [k.right_eye[0] - 12, k.right_eye[1] + 6],
      nose: [k.nose[0] - 14, k.nose[1]],
      mouth_left: [k.mouth_left[0] - 12, k.mouth_left[1]],
      mouth_right: [k.mouth_right[0] - 12, k.mouth_right[1]],
    },
  };
  assertEquals(t.update([turned, same]).map((f) => f.track), [2, 1]);
});

Deno.test("tracker: a distant or very different-sized detection starts a new track", () => {
  const ids = track([[face(60, 60)], [face(250, 180)], [face(250, 180, 120)]]);
  assertEquals(ids, [[1], [2], [3]]);
});

Deno.test("tracker reads xyxy boxes and keeps the faces it is given", () => {
  const t = createTracker({ boxFormat: "xyxy" });
  const a: Face = { box: [10, 10, 50, 50], confidence: 0.9 };
  const b: Face = { box: [14, 10, 54, 50], confidence: 0.8 };
  assertEquals(t.update([a]), [{ ...a, track: 1 }]);
  assertEquals(t.update([b]), [{ ...b, track: 1 }]);
  assertEquals(t.state.tracks[0].box, [34, 30, 40, 40]);
});

Deno.test("createTracker() refuses options out of range with an OptionError naming them", () => {
  for (
    const [o, name] of [
      [{ maxMissed: -1 }, "maxMissed"],
      [{ maxMissed: 2.5 }, "maxMissed"],
      [{ minIou: 1.5 }, "minIou"],
      [{ velocitySmoothing: 0 }, "velocitySmoothing"],
      [{ coast: NaN }, "coast"],
      [{ maxScaleChange: 0.5 }, "maxScaleChange"],
      [{ boxFormat: "cxcywh" as "xywh" }, "boxFormat"],
    ] as const
  ) {
    const r = create(o);
    assert(r._tag === "Left" && r.left._tag === "OptionError", JSON.stringify(o));
    assert(r.left.message.startsWith(`tracker option ${name} must be`), r.left.message);
  }
  assertEquals(checkTrackerOptions({ maxMissed: 0, minIou: 1, coast: 0 })._tag, "Right");
});
