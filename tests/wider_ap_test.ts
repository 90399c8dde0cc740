import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import {
  evaluateWider,
  parseWiderGt,
  parseWiderSplits,
  splitKey,
  type WiderEvalImage,
  type WiderSplits,
  type XywhBox,
} from "../eval.ts";
import { HAS_SHARED, noteSharedSkip, sharedData } from "./_shared.ts";

noteSharedSkip("wider_ap_test.ts");

const A: XywhBox = [0, 0, 9, 9], B: XywhBox = [50, 50, 9, 9], C: XywhBox = [100, 0, 9, 9];
const FAR: XywhBox = [300, 300, 9, 9];

const apAll = (images: readonly WiderEvalImage[], splits?: WiderSplits): number => {
  const r = evaluateWider(images, splits);
  if (r._tag === "Left") throw new Error(r.left.message);
  return Object.values(r.right)[0].ap;
};

const img = (gt: XywhBox[], preds: [XywhBox, number][], name = "a.jpg"): WiderEvalImage => ({
  name,
  gt,
  predictions: preds.map(([box, score]) => ({ box, score })),
});

Deno.test("evaluateWider(): a perfect detector has AP 1", () => {
  const images = [
    img([A, B], [[A, 0.99], [B, 0.8]], "a.jpg"),
    img([C], [[C, 0.95]], "b.jpg"),
  ];
  assertEquals(apAll(images), 1);
});

Deno.test("evaluateWider(): one false positive above the only true positive gives AP 0.5", () => {
  // Normalised scores: FP 1, TP 0. Thresholds > 0: P = 0/1, R = 0. Threshold 0: P = 1/2, R = 1.
  // Envelope 0.5 where recall rises from 0 to 1: AP = 1 * 0.5.
  assertEquals(apAll([img([A], [[FAR, 0.9], [A, 0.8]])]), 0.5);
  // The same false positive below the true positive costs nothing.
  assertEquals(apAll([img([A], [[FAR, 0.8], [A, 0.9]])]), 1);
});

Deno.test("evaluateWider(): TP, FP, TP with one face missed gives AP 5/9", () => {
  // Scores 1, 0.5, 0 (already normalised). t in (0.5, 1): P 1, R 1/3; t in (0, 0.5]: P 1/2,
  // R 1/3; t = 0: P 2/3, R 2/3. AP = 1/3 * 1 + 1/3 * 2/3 = 5/9.
  assertAlmostEquals(apAll([img([A, B, C], [[A, 1], [FAR, 0.5], [B, 0]])]), 5 / 9, 1e-12);
});

Deno.test("evaluateWider(): a second detection of a recalled face is a false positive", () => {
  // A 1, A again 0.5, B 0: t > 0.5 P 1 R 1/2; t in (0, 0.5] P 1/2 R 1/2; t = 0 P 2/3 R 1.
  const dup: XywhBox = [1, 0, 9, 9];
  assertAlmostEquals(apAll([img([A, B], [[A, 1], [dup, 0.5], [B, 0]])]), 0.5 + 0.5 * 2 / 3, 1e-12);
});

Deno.test("evaluateWider(): faces outside the split are neither hits nor misses", () => {
  const splits: WiderSplits = { easy: new Map([["a.jpg", [0]]]) };
  // B (index 1) is not counted: its detection, even scoring highest, is ignored, not a FP.
  const r = evaluateWider([img([A, B], [[B, 1], [A, 0.5], [FAR, 0]])], splits);
  assertEquals(r._tag, "Right");
  if (r._tag !== "Right") return;
  assertEquals(r.right.easy.faces, 1);
  // t > 0.5: B ignored -> 0 proposals (precision NaN); t in (0, 0.5]: P 1, R 1; t = 0: P 1/2.
  assertEquals(r.right.easy.ap, 1);
  assert(Number.isNaN(r.right.easy.precision[0]));
  // Detecting only the ignored face: no hit, no false positive, AP 0 with recall 0.
  const only = evaluateWider([img([A, B], [[B, 1]])], splits);
  assertEquals(only._tag === "Right" && only.right.easy.ap, 0);
  // Missing the ignored face costs nothing.
  assertEquals(apAll([img([A, B], [[A, 1]])], splits), 1);
});

Deno.test("evaluateWider(): IoU >= 0.5 with the official +1 pixel widths", () => {
  // A = [0, 0, 9, 9] spans 10x10 pixels. [0, 0, 9, 4] spans 10x5: IoU exactly 0.5, a match.
  assertEquals(apAll([img([A], [[[0, 0, 9, 4], 1]])]), 1);
  assertEquals(apAll([img([A], [[[0, 0, 9, 3.9], 1]])]), 0);
});

Deno.test("evaluateWider(): recall counts faces of images without detections; FPs of images without faces add nothing", () => {
  const images = [img([A], [[A, 1]], "a.jpg"), img([B], [], "b.jpg"), img([], [[FAR, 2]], "c.jpg")];
  const r = evaluateWider(images);
  assertEquals(r._tag, "Right");
  if (r._tag !== "Right") return;
  assertEquals(r.right.all.faces, 2);
  assertEquals(r.right.all.ap, 0.5);
  assertEquals(r.right.all.recall.length, 1000);
});

Deno.test("evaluateWider(): only the order of scores matters, and equal scores all count", () => {
  const images = [img([A, B, C], [[A, 3], [FAR, 2], [B, 1]])];
  assertAlmostEquals(
    apAll(images),
    apAll([img([A, B, C], [[A, 0.9], [FAR, 0.8], [B, 0.7]])]),
    1e-12,
  );
  assertEquals(apAll([img([A], [[A, 0.9]])]), 1);
  assertAlmostEquals(apAll([img([A, B], [[A, 0.9], [FAR, 0.9]])]), 0.25, 1e-12);
});

Deno.test("evaluateWider(): bad splits, scores and options give typed errors", () => {
  const splits: WiderSplits = { easy: new Map([["a.jpg", [3]]]) };
  const missing = evaluateWider([img([A], [], "b.jpg")], splits);
  assertEquals(missing._tag === "Left" && missing.left._tag, "InputError");
  const range = evaluateWider([img([A], [], "a.jpg")], splits);
  assertEquals(range._tag === "Left" && range.left._tag, "FormatError");
  const nan = evaluateWider([img([A], [[A, NaN]])]);
  assertEquals(nan._tag === "Left" && nan.left._tag, "InputError");
  const iou = evaluateWider([img([A], [[A, 1]])], undefined, { iouThreshold: 0 });
  assertEquals(iou._tag === "Left" && iou.left._tag, "OptionError");
  const empty = evaluateWider([], { easy: new Map() });
  assert(empty._tag === "Right" && Number.isNaN(empty.right.easy.ap));
});

const shared = sharedData;

Deno.test({
  name: "evaluateWider() reproduces facenet-pytorch's AP from its stored detections",
  ignore: !HAS_SHARED,
  fn: async (t) => {
    const splits = parseWiderSplits(
      JSON.parse(await Deno.readTextFile(shared("wider_val_gt/difficulty_splits.json"))),
      "splits",
    );
    if (splits._tag === "Left") throw new Error(splits.left.message);
    type RefFace = { box: [number, number, number, number]; score: number };
    const ref: Record<string, { faces: RefFace[] }> = JSON.parse(
      await Deno.readTextFile(shared("reference/facenet_pytorch.json")),
    ).images;
    const cases: [string, string, [number, number, number]][] = [
      ["wider_val_416", "gt_scaled_416_bbx_gt.txt", [0.633, 0.455, 0.167]],
      ["wider_val_full10", "wider_face_val_bbx_gt_subset.txt", [0.835, 0.835, 0.795]],
    ];
    for (const [set, gtFile, anchors] of cases) {
      await t.step(`${set}: ${anchors.join(" / ")}`, async () => {
        const gt = parseWiderGt(await Deno.readTextFile(shared(`${set}/${gtFile}`)), gtFile);
        if (gt._tag === "Left") throw new Error(gt.left.message);
        const images = gt.right.map((im): WiderEvalImage => ({
          name: im.name,
          gt: im.faces.map((f) => f.box),
          predictions: ref[`${set}/images/${splitKey(im.name)}`].faces.map((f) => ({
            box: [f.box[0], f.box[1], f.box[2] - f.box[0], f.box[3] - f.box[1]], // x1y1x2y2 -> xywh
            score: f.score,
          })),
        }));
        const r = evaluateWider(images, splits.right);
        if (r._tag === "Left") throw new Error(r.left.message);
        (["easy", "medium", "hard"] as const).forEach((s, i) =>
          assertAlmostEquals(r.right[s].ap, anchors[i], 0.005, `${set} ${s}`)
        );
      });
    }
  },
});
