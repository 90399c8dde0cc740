import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import type { FivePoints } from "../eval.ts";
import { faceNme, landmarkError, matchFace, parseMtflList } from "../eval.ts";
import type { Face, Point } from "../mod.ts";
import { HAS_SHARED, noteSharedSkip, sharedData } from "./_shared.ts";

noteSharedSkip("landmarks_eval_test.ts");

const TRUTH: FivePoints = [[30, 40], [70, 40], [50, 60], [35, 80], [65, 80]]; // eyes 40 px apart

const face = (box: [number, number, number, number], pts: readonly Point[]): Face => ({
  box,
  confidence: 0.99,
  keypoints: {
    left_eye: pts[0],
    right_eye: pts[1],
    nose: pts[2],
    mouth_left: pts[3],
    mouth_right: pts[4],
  },
});

const shifted = (dx: number, dy: number): Point[] => TRUTH.map(([x, y]): Point => [x + dx, y + dy]);

Deno.test("faceNme() is the mean point error over the inter-ocular distance", () => {
  assertEquals(faceNme(TRUTH, TRUTH), 0);
  assertAlmostEquals(faceNme(TRUTH, shifted(4, 0)), 0.1, 1e-12); // every point 4 px off, eyes 40 px apart
  assertAlmostEquals(faceNme(TRUTH, shifted(3, 4)), 5 / 40, 1e-12);
  assert(Number.isNaN(faceNme([[1, 1], [1, 1], [0, 0], [0, 0], [0, 0]], TRUTH)));
});

Deno.test("matchFace() picks the detection whose box holds the landmarks' centre, nearest first", () => {
  const good = face([10, 10, 80, 90], shifted(1, 0)); // centre (50, 55); landmark centre (50, 60)
  const off = face([40, 30, 80, 90], shifted(9, 0)); // also contains (50, 60), centre farther
  const elsewhere = face([200, 200, 50, 50], TRUTH);
  assertEquals(matchFace(TRUTH, [off, elsewhere, good]), good);
  assertEquals(matchFace(TRUTH, [elsewhere]), undefined);
  // Boxes as x1, y1, x2, y2.
  assertEquals(matchFace(TRUTH, [face([10, 10, 90, 100], TRUTH)], "xyxy")?.box[2], 90);
  // A face without keypoints cannot be measured.
  assertEquals(matchFace(TRUTH, [{ box: [10, 10, 80, 90], confidence: 1 }]), undefined);
});

Deno.test("landmarkError() summarises mean, median, failure and miss rates", () => {
  const r = landmarkError([
    { landmarks: TRUTH, faces: [face([10, 10, 80, 90], shifted(2, 0))] }, // 0.05
    { landmarks: TRUTH, faces: [face([10, 10, 80, 90], shifted(6, 0))] }, // 0.15
    { landmarks: TRUTH, faces: [face([10, 10, 80, 90], shifted(3, 0))] }, // 0.075
    { landmarks: TRUTH, faces: [] }, // miss
  ]);
  assertAlmostEquals(r.nmeMean, (0.05 + 0.15 + 0.075) / 3, 1e-12);
  assertAlmostEquals(r.nmeMedian, 0.075, 1e-12);
  assertAlmostEquals(r.failureRate, 1 / 3, 1e-12);
  assertEquals(r.missRate, 0.25);
  assertEquals(r.faces, 4);
  assert(Number.isNaN(r.nme[3]));
  const none = landmarkError([]);
  assert(Number.isNaN(none.nmeMean) && Number.isNaN(none.missRate));
});

const refFile = sharedData("reference/facenet_pytorch_aflw.json");
const listFile = sharedData("mtfl/testing.txt");
Deno.test({
  name: "landmarkError() reproduces facenet-pytorch's AFLW figures from its stored detections",
  ignore: !HAS_SHARED,
  fn: async () => {
    type RefFace = { box: [number, number, number, number]; score: number; landmarks: Point[] };
    const ref: Record<string, { faces: RefFace[] }> =
      JSON.parse(await Deno.readTextFile(refFile)).images;
    const list = parseMtflList(await Deno.readTextFile(listFile), "testing.txt", {
      oneBased: true,
    });
    if (list._tag === "Left") throw new Error(list.left.message);
    assertEquals(list.right.length, 2995);
    const cases = list.right.map((a) => ({
      landmarks: a.landmarks,
      faces: ref[`mtfl/${a.path}`].faces.map((f) => face(f.box, f.landmarks)),
    }));
    const r = landmarkError(cases, { boxFormat: "xyxy" });
    assertAlmostEquals(r.nmeMean, 0.1162, 0.005, "mean");
    assertAlmostEquals(r.nmeMedian, 0.0783, 0.005, "median");
    assertAlmostEquals(r.missRate, 0.009, 0.002, "miss rate");
  },
});
