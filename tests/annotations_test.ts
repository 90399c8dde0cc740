import { assert, assertEquals } from "./_assert.ts";
import { parseCnnFacePointList, parseMtflList } from "../eval.ts";
import { existsSync } from "node:fs";
import { HAS_SHARED, noteSharedSkip, sharedData } from "./_shared.ts";

noteSharedSkip("annotations_test.ts");

const MTFL =
  " lfw_5590\\Aaron_Guiel_0001.jpg 101.25 146.75 125.25 93.75 139.75 112.25 117.75 137.75 160.75 164.75 1 1 2 3\r\n" +
  "\r\n" +
  "AFLW/0002-image04733.jpg 43.5 89.4 85.9 56.0 97.5 53.7 42.6 77.5 101.3 90.8 2 1 2 4\n";

const CNN =
  "lfw_5590\\Aaron_Eckhart_0001.jpg 84 161 92 169 106.25 107.75 146.75 112.25 125.25 142.75 105.25 157.75 139.75 161.75\r\n";

const errorOf = (r: { _tag: string; left?: { _tag: string; message: string } }) =>
  r._tag === "Left" ? r.left : undefined;

Deno.test("parseMtflList() reads x1..x5 then y1..y5, attributes, and forward-slash paths", () => {
  const r = parseMtflList(MTFL, "training.txt");
  assertEquals(r._tag, "Right");
  if (r._tag !== "Right") return;
  assertEquals(r.right.length, 2);
  const a = r.right[0];
  assertEquals(a.path, "lfw_5590/Aaron_Guiel_0001.jpg");
  assertEquals(a.landmarks, [[101.25, 112.25], [146.75, 117.75], [125.25, 137.75], [
    93.75,
    160.75,
  ], [139.75, 164.75]]);
  assertEquals([a.gender, a.smile, a.glasses, a.pose], [1, 1, 2, 3]);
  assertEquals(a.box, undefined);
});

Deno.test("parseMtflList({ oneBased: true }) subtracts 1 from every coordinate", () => {
  const r = parseMtflList(MTFL, "training.txt", { oneBased: true });
  assert(r._tag === "Right");
  assertEquals(r.right[0].landmarks[0], [100.25, 111.25]);
  assertEquals(r.right[0].pose, 3);
});

Deno.test("parseCnnFacePointList() reads the left right top bottom box and x, y pairs", () => {
  const r = parseCnnFacePointList(CNN, "trainImageList.txt");
  assert(r._tag === "Right");
  assertEquals(r.right[0].path, "lfw_5590/Aaron_Eckhart_0001.jpg");
  assertEquals(r.right[0].box, [84, 92, 161, 169]);
  assertEquals(r.right[0].landmarks, [[106.25, 107.75], [146.75, 112.25], [125.25, 142.75], [
    105.25,
    157.75,
  ], [139.75, 161.75]]);
});

Deno.test("the list parsers report file and line of a malformed line", () => {
  const m = errorOf(parseMtflList(MTFL + "x.jpg 1 2 3\n", "testing.txt"));
  assertEquals(m?._tag, "FormatError");
  assert(/^testing\.txt:4: expected 15 fields/.test(m!.message), m!.message);
  const n = errorOf(parseMtflList("a.jpg 1 2 3 4 5 6 7 8 9 ten 1 1 2 3\n", "t.txt"));
  assert(/^t\.txt:1: "ten" is not a number/.test(n!.message), n!.message);
  const c = errorOf(parseCnnFacePointList(CNN + CNN.replace(" 84 161", " 184 161"), "list.txt"));
  assertEquals(c?._tag, "FormatError");
  assert(/^list\.txt:2: box .* inverted/.test(c!.message), c!.message);
  const d = errorOf(parseCnnFacePointList("a.jpg 1 2 3 4\n", "list.txt"));
  assert(/^list\.txt:1: expected 15 fields/.test(d!.message), d!.message);
});

const MTFL_DIR = sharedData("mtfl/");

Deno.test({
  name: "the list parsers read the real MTFL and CNN_FacePoint lists",
  ignore: !HAS_SHARED,
  fn: async (t) => {
    const read = (name: string) => Deno.readTextFile(MTFL_DIR + name);
    for (const [name, count] of [["training.txt", 10000], ["testing.txt", 2995]] as const) {
      await t.step(`MTFL ${name}: ${count} faces`, async () => {
        const r = parseMtflList(await read(name), name, { oneBased: true });
        assert(r._tag === "Right", r._tag === "Left" ? r.left.message : "");
        assertEquals(r.right.length, count);
        assert(
          r.right.every((a) =>
            !a.path.includes("\\") && a.landmarks.every((p) => p.every(Number.isFinite))
          ),
        );
        // x1..x5 come first: the left eye is left of the right eye except in a few profiles.
        const leftFirst = r.right.filter((a) => a.landmarks[0][0] < a.landmarks[1][0]).length;
        assert(leftFirst > 0.97 * count, `${leftFirst} of ${count} faces have the left eye left`);
        assert(existsSync(MTFL_DIR + r.right[0].path), `${r.right[0].path} exists`);
      });
    }
    for (
      const [name, count] of [["cnn_facepoint_trainImageList.txt", 10000], [
        "cnn_facepoint_testImageList.txt",
        3466,
      ]] as const
    ) {
      await t.step(`CNN_FacePoint ${name}: ${count} faces`, async () => {
        const r = parseCnnFacePointList(await read(name), name);
        assert(r._tag === "Right", r._tag === "Left" ? r.left.message : "");
        assertEquals(r.right.length, count);
        // The landmarks' centre lies inside the box.
        const inside = r.right.filter(({ box, landmarks }) => {
          const cx = landmarks.reduce((s, p) => s + p[0], 0) / 5,
            cy = landmarks.reduce((s, p) => s + p[1], 0) / 5;
          return cx > box[0] && cx < box[2] && cy > box[1] && cy < box[3];
        });
        assertEquals(inside.length, count);
      });
    }
  },
});
