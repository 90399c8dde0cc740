import { assert, assertEquals } from "./_assert.ts";
import { parseWiderGt, parseWiderSplits, splitKey } from "../eval.ts";
import { HAS_SHARED, noteSharedSkip, sharedData } from "./_shared.ts";

noteSharedSkip("wider_gt_test.ts");

const shared = sharedData;

const GT = `0--Parade/0_Parade_marchingband_1_465.jpg
2
345 211 4 4 2 0 0 0 0 1
331 126 3.5 3 2 0 0 0 1 0
1--Handshaking/empty.jpg
0
0 0 0 0 0 0 0 0 0 0
2--Demonstration/boxes_only.jpg
1
10 20 30 40
`;

const errorOf = (r: { _tag: string; left?: { _tag: string; message: string } }) =>
  r._tag === "Left" ? r.left : undefined;

Deno.test("parseWiderGt() reads names, boxes and attributes, and skips the zeros line of empty images", () => {
  const r = parseWiderGt(GT, "gt.txt");
  assertEquals(r._tag, "Right");
  if (r._tag !== "Right") return;
  assertEquals(r.right.map((i) => [i.name, i.faces.length]), [
    ["0--Parade/0_Parade_marchingband_1_465.jpg", 2],
    ["1--Handshaking/empty.jpg", 0],
    ["2--Demonstration/boxes_only.jpg", 1],
  ]);
  assertEquals(r.right[0].faces[1], {
    box: [331, 126, 3.5, 3],
    blur: 2,
    expression: 0,
    illumination: 0,
    invalid: 0,
    occlusion: 1,
    pose: 0,
  });
  assertEquals(r.right[0].faces[0].pose, 1);
  assertEquals(r.right[2].faces[0].box, [10, 20, 30, 40]);
  assertEquals(r.right[2].faces[0].blur, 0);
});

Deno.test("parseWiderGt() accepts CRLF line ends and a missing zeros line at the end", () => {
  const r = parseWiderGt("a.jpg\r\n1\r\n1 2 3 4 0 0 0 0 0 0\r\nb.jpg\r\n0\r\n", "gt.txt");
  assertEquals(r._tag, "Right");
  if (r._tag === "Right") assertEquals(r.right.map((i) => i.faces.length), [1, 0]);
});

Deno.test("parseWiderGt() names file and line of a malformed entry", () => {
  const cases: [string, RegExp][] = [
    ["a.jpg\n2\n1 2 3 4 0 0 0 0 0 0\n1 2 x 4 0 0 0 0 0 0\n", /^gt\.txt:4: "x" is not a number/],
    ["a.jpg\nmany\n", /^gt\.txt:2: expected a face count/],
    ["a.jpg\n1\n1 2 3\n", /^gt\.txt:3: expected "x y w h"/],
    [
      "a.jpg\n3\n1 2 3 4 0 0 0 0 0 0\n",
      /^gt\.txt:2: a\.jpg announces 3 faces, the file ends after 1/,
    ],
    ["a.jpg\n", /^gt\.txt:1: image a\.jpg has no face count/],
    ["a.jpg\n1\n1 2 3 4 0 0 0 0 0 0\n5 6 7 8 0 0 0 0 0 0\n", /^gt\.txt:4: expected an image name/],
  ];
  for (const [text, re] of cases) {
    const e = errorOf(parseWiderGt(text, "gt.txt"));
    assertEquals(e?._tag, "FormatError", text);
    assert(re.test(e!.message), e!.message);
  }
});

Deno.test("parseWiderSplits() keys images by base name and rejects bad indices", () => {
  const r = parseWiderSplits({
    note: "x",
    splits: { easy: { "0--P/a.jpg": [0, 2] }, hard: { "0--P/a.jpg": [] } },
  }, "s.json");
  assertEquals(r._tag, "Right");
  if (r._tag === "Right") {
    assertEquals(Object.keys(r.right), ["easy", "hard"]);
    assertEquals(r.right.easy.get("a.jpg"), [0, 2]);
  }
  assertEquals(
    errorOf(parseWiderSplits({ easy: { "a.jpg": [-1] } }, "s.json"))?._tag,
    "FormatError",
  );
  assertEquals(
    errorOf(parseWiderSplits({ easy: { "x/a.jpg": [0], "y/a.jpg": [1] } }, "s.json"))?._tag,
    "FormatError",
  );
  assertEquals(errorOf(parseWiderSplits([1, 2], "s.json"))?._tag, "FormatError");
  assertEquals(splitKey("0--Parade\\x.jpg"), "x.jpg");
});

Deno.test({
  name: "parseWiderGt() reads the official WIDER val ground truth and the shared subsets",
  ignore: !HAS_SHARED,
  fn: async (t) => {
    await t.step("official val: 3,226 images, 39,708 faces", async () => {
      const r = parseWiderGt(
        await Deno.readTextFile(shared("wider_val_gt/wider_face_val_bbx_gt.txt")),
        "val",
      );
      assertEquals(r._tag, "Right");
      if (r._tag !== "Right") return;
      assertEquals(r.right.length, 3226);
      assertEquals(r.right.reduce((s, i) => s + i.faces.length, 0), 39708);
      const splits = parseWiderSplits(
        JSON.parse(await Deno.readTextFile(shared("wider_val_gt/difficulty_splits.json"))),
        "splits",
      );
      assertEquals(splits._tag, "Right");
      if (splits._tag !== "Right") return;
      // Every split index refers to an existing face of an image of the ground truth.
      for (const [setting, map] of Object.entries(splits.right)) {
        for (const im of r.right) {
          const idx = map.get(splitKey(im.name));
          assert(idx !== undefined, `${im.name} missing from ${setting}`);
          assert(idx.every((k) => k < im.faces.length), `${setting} ${im.name}`);
        }
      }
    });
    await t.step("wider_val_416: 200 images; wider_val_full10: 10 images, 507 faces", async () => {
      const a = parseWiderGt(
        await Deno.readTextFile(shared("wider_val_416/gt_scaled_416_bbx_gt.txt")),
        "416",
      );
      assertEquals(a._tag === "Right" && a.right.length, 200);
      const b = parseWiderGt(
        await Deno.readTextFile(shared("wider_val_full10/wider_face_val_bbx_gt_subset.txt")),
        "full10",
      );
      assertEquals(b._tag === "Right" && b.right.length, 10);
      assertEquals(b._tag === "Right" && b.right.reduce((s, i) => s + i.faces.length, 0), 507);
    });
  },
});
