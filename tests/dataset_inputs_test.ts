import { IVAN } from "./_faces.ts";
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { capture } from "./_cli_capture.ts";
import { run as dataset } from "../cli/dataset.ts";
import { run as detect } from "../cli/detect.ts";
import { parseDetectNdjson } from "../lib/annotations/detect_ndjson.ts";
import { loadTrainingImages } from "../pipelines/edge/train/training_images.ts";

const FIXTURES = new URL("../fixtures/train/", import.meta.url).pathname;

/** The fixture list with every path made absolute, written to another folder. */
const absoluteList = async (dir: string, rename = (p: string) => p): Promise<string> => {
  const j = JSON.parse(await Deno.readTextFile(join(FIXTURES, "faces.json")));
  for (const im of j.images) im.path = rename(join(FIXTURES, im.path));
  const list = join(dir, "list.json");
  await Deno.writeTextFile(list, JSON.stringify(j));
  return list;
};

Deno.test("dataset --format json reads absolute image paths as they are (relative ones under the list's folder)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mtcnn_ds_" });
  try {
    const list = await absoluteList(dir);
    const imgs = await loadTrainingImages(list, "json");
    assert(imgs._tag === "Right");
    if (imgs._tag !== "Right") return;
    assertEquals(imgs.right[0].path, join(FIXTURES, "face_0.png"));
    const rel = await loadTrainingImages(join(FIXTURES, "faces.json"), "json");
    assert(rel._tag === "Right" && rel.right[0].path === join(FIXTURES, "face_0.png"));
    const r = await capture(dataset, [
      "--net",
      "pnet",
      "--format",
      "json",
      "--list",
      list,
      "--out",
      join(dir, "set"),
      "--limit",
      "2",
      "--backend",
      "cpu",
    ]);
    assertEquals(r.code, 0, r.stderr.join("\n"));
    const summary = JSON.parse(r.stdout[0]);
    assert(summary.total > 0, r.stdout[0]);
    // A second run into the same folder is refused; --overwrite replaces the set.
    const again = await capture(dataset, [
      "--net=pnet",
      "--format=json",
      `--list=${list}`,
      `--out=${join(dir, "set")}`,
      "--limit=1",
    ]);
    assertEquals(again.code, 2);
    assert(again.stderr[0].includes("--overwrite"), again.stderr[0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const net of ["pnet", "rnet"]) {
  Deno.test(`dataset --net ${net} that writes 0 samples exits 1 and says why, image by image`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "mtcnn_ds_" });
    try {
      const list = await absoluteList(dir, (p) => p.replace(".png", ".missing.png"));
      const r = await capture(dataset, [
        "--net",
        net,
        "--format",
        "json",
        "--list",
        list,
        "--out",
        join(dir, "set"),
        "--limit",
        "3",
        "--backend",
        "cpu",
      ]);
      assertEquals(r.code, 1, r.stderr.join("\n"));
      const skipped = r.stderr.filter((l) => l.startsWith("skipped"));
      assertEquals(skipped.length, 3, r.stderr.join("\n"));
      assert(skipped[0].includes("face_0.missing.png") && skipped[0].includes("cannot read"));
      const last = r.stderr.at(-1)!;
      assert(last.startsWith("error: wrote 0 samples from 3 images; first: skipped"), last);
      assertEquals(r.stdout.length, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("parseDetectNdjson() turns detect's xywh boxes and keypoints into annotations; bad lines are named", () => {
  const kp = {
    left_eye: [1, 2],
    right_eye: [3, 4],
    nose: [5, 6],
    mouth_left: [7, 8],
    mouth_right: [9, 10],
  };
  const text = [
    JSON.stringify({
      image: "a.jpg",
      width: 50,
      height: 60,
      faces: [{ box: [10, 20, 30, 40], confidence: 0.9, keypoints: kp }],
    }),
    "",
    JSON.stringify({
      image: "/abs/b.jpg",
      width: 50,
      height: 60,
      faces: [{ box: [1, 2, 3, 4], confidence: 0.8 }],
    }),
    JSON.stringify({ image: "c.jpg", width: 5, height: 6, faces: [] }),
  ].join("\n");
  const r = parseDetectNdjson(text, "d.ndjson");
  assert(r._tag === "Right");
  if (r._tag !== "Right") return;
  assertEquals(r.right.map((i) => i.path), ["a.jpg", "/abs/b.jpg", "c.jpg"]);
  assertEquals(r.right[0].faces[0].box, [10, 20, 40, 60]);
  assertEquals(r.right[0].faces[0].landmarks, [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]);
  assertEquals(r.right[1].faces[0], { box: [1, 2, 4, 6] });
  for (
    const [line, what] of [
      ["{", "d.ndjson:2: not valid JSON"],
      ['{"faces": []}', 'd.ndjson:2: no "image" path'],
      ['{"image": "x.jpg", "faces": [{"box": [0, 0, -1, 5]}]}', "x.jpg: face 0"],
      [
        '{"image": "x.jpg", "faces": [{"box": [0, 0, 1, 5], "keypoints": {"nose": [1, 1]}}]}',
        "keypoints",
      ],
      ["[1, 2]", "not a JSON object"],
    ]
  ) {
    const e = parseDetectNdjson(`\n${line}\n`, "d.ndjson");
    assert(
      e._tag === "Left" && e.left._tag === "FormatError" && e.left.message.includes(what),
      line,
    );
  }
});

Deno.test("loadTrainingImages(ndjson) takes relative paths from the current folder, as detect printed them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mtcnn_ds_" });
  try {
    const list = join(dir, "sub", "d.ndjson");
    await Deno.mkdir(join(dir, "sub"));
    await Deno.writeTextFile(list, JSON.stringify({ image: "photos/a.jpg", faces: [] }) + "\n");
    const r = await loadTrainingImages(list, "ndjson");
    assert(r._tag === "Right" && r.right[0].path === "photos/a.jpg", JSON.stringify(r));
    const rooted = await loadTrainingImages(list, "ndjson", "/data");
    assert(rooted._tag === "Right" && rooted.right[0].path === "/data/photos/a.jpg");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "dataset --format ndjson reads detect's own output as annotations",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mtcnn_ds_" });
    try {
      // A blank picture: no face in it.
      const { Image } = await import("imagescript");
      const blank = join(dir, "blank.png");
      await Deno.writeFile(blank, await new Image(200, 150).fill(0x8090a0ff).encode());
      const d = await capture(detect, [
        "--workers",
        "0",
        "--backend",
        "wasm",
        IVAN,
        blank,
      ]);
      assertEquals(d.code, 0, d.stderr.join("\n"));
      const list = join(dir, "faces.ndjson");
      await Deno.writeTextFile(list, d.stdout.join("\n") + "\n");
      const imgs = await loadTrainingImages(list, "ndjson");
      assert(imgs._tag === "Right");
      if (imgs._tag !== "Right") return;
      const first = JSON.parse(d.stdout[0]);
      assertEquals(imgs.right.length, 2);
      assertEquals(imgs.right[0].path, IVAN);
      const [x, y, w, h] = first.faces[0].box;
      assertEquals(imgs.right[0].faces[0].box, [x, y, x + w, y + h]);
      assertEquals(imgs.right[0].faces[0].landmarks?.slice(0, 1), [
        first.faces[0].keypoints.left_eye[0],
      ]);
      assertEquals(imgs.right[1].faces.length, 0);
      const r = await capture(dataset, [
        "--net",
        "pnet",
        "--format",
        "ndjson",
        "--list",
        list,
        "--out",
        join(dir, "set"),
        "--counts",
        "4,2,2,2",
        "--backend",
        "cpu",
      ]);
      assertEquals(r.code, 0, r.stderr.join("\n"));
      const s = JSON.parse(r.stdout[0]);
      assert(s.counts.pos > 0 && s.counts.landmark > 0 && s.counts.neg > 0, r.stdout[0]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
