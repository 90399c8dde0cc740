import * as tf from "@tensorflow/tfjs";
import { run } from "../cli/eval.ts";
import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import { HAS_SHARED, noteSharedSkip, sharedData } from "./_shared.ts";

noteSharedSkip("eval_cli_test.ts");

/** Runs `eval args`, capturing what it prints. */
const evalCli = async (args: string[]) => {
  const out: string[] = [], err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    return { code: await run(args), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log, console.error = error;
  }
};

const SPLITS = sharedData("wider_val_gt/difficulty_splits.json");

/** The entries of `names` cut out of a WIDER ground-truth file, as a new file in `dir`. */
const subsetGt = async (gtFile: string, names: readonly string[], dir: string): Promise<string> => {
  const lines = (await Deno.readTextFile(gtFile)).split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length && lines[i].trim();) {
    const n = Number(lines[i + 1]);
    const size = 2 + (n === 0 ? 1 : n);
    if (names.some((x) => lines[i].endsWith(x))) out.push(...lines.slice(i, i + size));
    i += size;
  }
  const path = `${dir}/gt.txt`;
  await Deno.writeTextFile(path, out.join("\n") + "\n");
  return path;
};

Deno.test("eval --help and each subcommand's --help print usage and exit 0", async () => {
  for (const args of [["--help"], ["wider", "--help"], ["landmarks", "-h"]]) {
    const r = await evalCli(args);
    assertEquals(r.code, 0, args.join(" "));
    assert(r.out.startsWith("Usage: deno task eval"), r.out);
  }
});

Deno.test("eval reports usage errors and unreadable files as one error line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = `${dir}/bad_gt.txt`;
    await Deno.writeTextFile(bad, "a.jpg\n1\n1 2 x 4 0 0 0 0 0 0\n");
    const cases: [string[], number, RegExp][] = [
      [["nope"], 2, /unknown eval subcommand "nope"/],
      [["wider", "--images", dir], 2, /needs --gt FILE and --images DIR/],
      [["wider", "--gt", bad, "--images", dir, "--bogus"], 2, /unknown option --bogus/],
      [
        ["wider", "--gt", `${dir}/missing.txt`, "--images", dir],
        1,
        /missing\.txt: cannot read \(no such file\)/,
      ],
      [["wider", "--gt", bad, "--images", dir], 1, /bad_gt\.txt:3: "x" is not a number/],
      [["wider", "--gt", bad, "--images", dir, "--plot", "x.png"], 2, /SVG only/],
      [["landmarks", "--list", bad, "--images", dir, "--format", "xml"], 2, /--format must be/],
      [
        ["landmarks", "--list", bad, "--images", dir, "--format", "mtfl"],
        1,
        /bad_gt\.txt:1: expected 15 fields/,
      ],
    ];
    for (const [args, code, re] of cases) {
      const r = await evalCli(args);
      assertEquals(r.code, code, args.join(" "));
      assertEquals(r.err.split("\n").length, 1, r.err);
      assert(r.err.startsWith("error: ") && re.test(r.err), r.err);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "eval wider runs the detector on WIDER images and writes the PR plot, without leaking tensors",
  ignore: !HAS_SHARED,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const names = ["1_Handshaking_Handshaking_1_314.jpg", "1_Handshaking_Handshaking_1_35.jpg"];
      const gt = await subsetGt(sharedData("wider_val_416/gt_scaled_416_bbx_gt.txt"), names, dir);
      const images = sharedData("wider_val_416/images");
      const args = [
        "wider",
        "--gt",
        gt,
        "--images",
        images,
        "--splits",
        SPLITS,
        "--plot",
        `${dir}/pr.svg`,
      ];
      await evalCli([...args, "--backend", Deno.env.get("MTCNN_BACKEND") ?? "auto"]); // warm-up
      const before = tf.memory().numTensors;
      // The warm-up wrote the plot: replacing it takes --overwrite.
      const r = await evalCli([...args, "--overwrite"]);
      assertEquals(r.code, 0, r.err);
      assertEquals(tf.memory().numTensors, before, "tensors after eval");
      const j = JSON.parse(r.out);
      assertEquals([j.images, j.faces], [2, 2]);
      // Both faces are large and frontal: found, with no false positive above them.
      for (const s of ["easy", "medium", "hard"]) assertEquals(j[s], { ap: 1, faces: 2 }, s);
      const svg = await Deno.readTextFile(`${dir}/pr.svg`);
      assert(svg.startsWith("<svg") && svg.includes("hard (AP 1.000)"), "SVG legend");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "eval wider --predictions reproduces facenet-pytorch's wider_val_full10 AP",
  ignore: !HAS_SHARED,
  fn: async () => {
    const r = await evalCli([
      "wider",
      "--gt",
      sharedData("wider_val_full10/wider_face_val_bbx_gt_subset.txt"),
      "--images",
      sharedData("wider_val_full10/images"),
      "--splits",
      SPLITS,
      "--predictions",
      sharedData("reference/facenet_pytorch.json"),
    ]);
    assertEquals(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assertEquals([j.images, j.faces], [10, 507]);
    assertAlmostEquals(j.easy.ap, 0.835, 0.005);
    assertAlmostEquals(j.medium.ap, 0.835, 0.005);
    assertAlmostEquals(j.hard.ap, 0.795, 0.005);
  },
});

Deno.test({
  name: "eval landmarks measures the detector on a few AFLW faces",
  ignore: !HAS_SHARED,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const lines = (await Deno.readTextFile(sharedData("mtfl/testing.txt"))).split("\n").slice(
        0,
        3,
      );
      await Deno.writeTextFile(`${dir}/list.txt`, lines.join("\n") + "\n");
      const args = [
        "landmarks",
        "--list",
        `${dir}/list.txt`,
        "--images",
        sharedData("mtfl"),
        "--one-based",
      ];
      const r = await evalCli(args);
      assertEquals(r.code, 0, r.err);
      const j = JSON.parse(r.out);
      assertEquals(Object.keys(j), [
        "nme_mean",
        "nme_median",
        "failure_rate",
        "miss_rate",
        "faces",
      ]);
      assertEquals([j.faces, j.miss_rate], [3, 0]);
      assert(j.nme_mean > 0 && j.nme_mean < 0.2, `nme_mean ${j.nme_mean}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
