import { IVAN } from "./_faces.ts";
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { capture } from "./_cli_capture.ts";
import { run as detect } from "../cli/detect.ts";

const fixture = (name: string) => new URL(`../fixtures/train/${name}`, import.meta.url).pathname;

const names = (dir: string): string[] => {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of Deno.readDirSync(d)) {
      if (e.isDirectory) walk(join(d, e.name), rel + e.name + "/");
      else out.push(rel + e.name);
    }
  };
  walk(dir, "");
  return out.sort();
};

const tmp = () => Deno.makeTempDir({ prefix: "mtcnn_outputs_" });

Deno.test("detect --out keeps inputs with the same base name apart: -2 suffix, paths below a folder", async () => {
  const dir = await tmp();
  try {
    for (const sub of ["a", "b", "tree/x", "tree/y"]) {
      await Deno.mkdir(join(dir, sub), { recursive: true });
    }
    await Deno.copyFile(fixture("face_0.png"), join(dir, "a/x.png"));
    await Deno.copyFile(fixture("face_1.png"), join(dir, "b/x.png"));
    await Deno.copyFile(fixture("face_3.png"), join(dir, "tree/x/f.png"));
    await Deno.copyFile(fixture("face_4.png"), join(dir, "tree/y/f.png"));
    const out = join(dir, "out");
    const r = await capture(detect, [
      "--workers",
      "0",
      "--out",
      out,
      join(dir, "a/x.png"),
      join(dir, "b/x.png"),
      join(dir, "tree"),
    ]);
    assertEquals(r.code, 0, r.stderr.join("\n"));
    assertEquals(r.stdout.length, 4);
    assertEquals(names(out), ["x-2.png", "x.png", "x/f.png", "y/f.png"]);
    // Each drawn file is its own input's image (the fixtures differ).
    const { Image } = await import("imagescript");
    const a = await Image.decode(await Deno.readFile(join(out, "x.png")));
    const b = await Image.decode(await Deno.readFile(join(out, "x-2.png")));
    assert(a.bitmap.some((v, i) => v !== b.bitmap[i]), "x.png and x-2.png are the same image");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detect refuses to overwrite files of an earlier run unless --overwrite (exit 2, one line)", async () => {
  const dir = await tmp();
  try {
    const img = join(dir, "x.png");
    await Deno.copyFile(fixture("face_0.png"), img);
    const out = join(dir, "out");
    await Deno.mkdir(out);
    await Deno.writeTextFile(join(out, "x.png"), "precious");
    const r = await capture(detect, ["--workers", "0", "--out", out, img]);
    assertEquals(r.code, 2);
    assertEquals(r.stderr.length, 1, r.stderr.join("\n"));
    assert(
      r.stderr[0].startsWith("error: --out") && r.stderr[0].includes("--overwrite"),
      r.stderr[0],
    );
    assertEquals(await Deno.readTextFile(join(out, "x.png")), "precious");
    const o = await capture(detect, ["--workers", "0", "--out", out, "--overwrite", img]);
    assertEquals(o.code, 0, o.stderr.join("\n"));
    assert((await Deno.readFile(join(out, "x.png")))[1] === 0x50, "now a PNG");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detect --out / --crops naming a file, or one folder for both, is a one-line usage error", async () => {
  const dir = await tmp();
  try {
    const img = join(dir, "x.png");
    await Deno.copyFile(fixture("face_0.png"), img);
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "keep me");
    for (
      const args of [
        ["--out", file],
        ["--crops", file],
        ["--out", join(file, "below")],
        ["--out", ""],
        ["--out", join(dir, "o"), "--crops", join(dir, "o")],
      ]
    ) {
      const r = await capture(detect, ["--workers", "0", ...args, img]);
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr.join("\n")}`);
      assertEquals(r.stderr.length, 1, r.stderr.join("\n"));
      assert(r.stderr[0].startsWith("error: --"), r.stderr[0]);
      assert(r.thrown === undefined);
    }
    assertEquals(await Deno.readTextFile(file), "keep me");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "detect --crops keeps two images called x.jpg apart and does not overwrite earlier crops",
  fn: async () => {
    const dir = await tmp();
    try {
      for (const sub of ["a", "b"]) {
        await Deno.mkdir(join(dir, sub));
        await Deno.copyFile(IVAN, join(dir, sub, "x.jpg"));
      }
      const [a, b] = [join(dir, "a/x.jpg"), join(dir, "b/x.jpg")];
      const crops = join(dir, "crops");
      const out = join(dir, "out");
      const r = await capture(detect, ["--workers", "0", "--out", out, "--crops", crops, a, b]);
      assertEquals(r.code, 0, r.stderr.join("\n"));
      assertEquals(names(crops), ["x-2_0.png", "x_0.png"]);
      assertEquals(names(out), ["x-2.png", "x.png"]);
      const again = await capture(detect, ["--workers", "0", "--crops", crops, a]);
      assertEquals(again.code, 2);
      assert(again.stderr[0].includes("x_0.png"), again.stderr[0]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("detect: an empty folder is an error line and exit 1; flags, not option names, in errors", async () => {
  const dir = await tmp();
  try {
    const empty = await capture(detect, [dir]);
    assertEquals(empty.code, 1);
    assertEquals(empty.stderr.length, 1);
    assert(empty.stderr[0].includes("no image in this folder"), empty.stderr[0]);
    const img = join(dir, "x.png");
    await Deno.copyFile(fixture("face_0.png"), img);
    for (
      const [args, flag] of <[string[], string][]> [
        [["--min-face-size", "-3"], "--min-face-size"],
        [["--scale-factor", "2"], "--scale-factor"],
        [["--thresholds", "2,0.5,0.5"], "--thresholds"],
        [["--max-pixels", "0"], "--max-pixels"],
        [["--workers", "1.5"], "--workers"],
        [["--crop-size", "7"], "--crop-size"],
      ]
    ) {
      const r = await capture(detect, [...args, img]);
      assertEquals(r.code, 2, args.join(" "));
      assertEquals(r.stderr.length, 1);
      assert(r.stderr[0].startsWith(`error: ${flag} `), r.stderr[0]);
    }
    // An empty folder beside a good image: the image is detected, the run exits 1.
    await Deno.mkdir(join(dir, "nothing"));
    const mixed = await capture(detect, ["--workers", "0", join(dir, "nothing"), img]);
    assertEquals(mixed.code, 1);
    assertEquals(mixed.stdout.length, 1);
    assertEquals(mixed.stderr.length, 1);
    const help = await capture(detect, ["--help"]);
    for (const f of ["--preset", "--flip", "--overwrite"]) {
      assert(help.stdout.join("\n").includes(f), f);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train evaluate --ndjson refuses an existing file or a folder unless --overwrite (exit 2, one line)", async () => {
  const { run: train } = await import("../cli/train.ts");
  const dir = await tmp();
  try {
    const file = join(dir, "preds.ndjson");
    await Deno.writeTextFile(file, "precious\n");
    for (const target of [file, dir]) {
      const r = await capture(train, ["evaluate", "--images", dir, "--ndjson", target]);
      assertEquals(r.code, 2, r.stderr.join("\n"));
      assertEquals(r.stderr.length, 1);
      assert(r.stderr[0].startsWith("error: --ndjson"), r.stderr[0]);
    }
    assertEquals(await Deno.readTextFile(file), "precious\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("eval accepts the detect flags its help lists (--flip, --downscale, --no-clip)", async () => {
  const { run: evalCmd } = await import("../cli/eval.ts");
  const { EVAL_WIDER_HELP } = await import("../cli/eval_wider.ts");
  for (const flag of ["--flip", "--downscale", "--no-clip"]) {
    assert(EVAL_WIDER_HELP.includes(flag), flag);
    // Parsed and past the option checks: the missing --gt file is the error.
    const r = await capture(evalCmd, [
      "wider",
      flag,
      "--gt",
      "/nonexistent/gt.txt",
      "--images",
      "/nonexistent",
    ]);
    assertEquals(r.code, 1, `${flag}: ${r.stderr.join("\n")}`);
    assert(!r.stderr[0].includes("unknown option"), r.stderr[0]);
  }
});

Deno.test("convert and eval --plot refuse to overwrite an existing file unless --overwrite", async () => {
  const { run: convert } = await import("../cli/convert.ts");
  const { run: evalCmd } = await import("../cli/eval.ts");
  const dir = await tmp();
  try {
    const lz4 = new URL("../fixtures/lz4/", import.meta.url).pathname;
    const input = [...Deno.readDirSync(lz4)].map((e) => join(lz4, e.name)).find((p) =>
      p.endsWith(".lz4")
    );
    const out = join(dir, "w.lz4");
    await Deno.writeTextFile(out, "precious");
    const r = await capture(convert, [input ?? join(dir, "none.lz4"), out]);
    assertEquals(r.code, 2, r.stderr.join("\n"));
    assertEquals(r.stderr.length, 1);
    assert(r.stderr[0].includes("exists: add --overwrite"), r.stderr[0]);
    assertEquals(await Deno.readTextFile(out), "precious");
    const plot = join(dir, "pr.svg");
    await Deno.writeTextFile(plot, "precious");
    const e = await capture(evalCmd, [
      "wider",
      "--gt",
      "/nonexistent",
      "--images",
      dir,
      "--plot",
      plot,
    ]);
    assertEquals(e.code, 2, e.stderr.join("\n"));
    assert(
      e.stderr[0].startsWith("error: --plot") && e.stderr[0].includes("--overwrite"),
      e.stderr[0],
    );
    assertEquals(await Deno.readTextFile(plot), "precious");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train refuses an --out holding a checkpoint (unless --resume or --overwrite) and existing --export files", async () => {
  const { run: train } = await import("../cli/train.ts");
  const dir = await tmp();
  try {
    const out = join(dir, "run");
    await Deno.mkdir(out);
    await Deno.writeTextFile(join(out, "checkpoint.bin"), "precious");
    const base = ["--net", "pnet", "--data", join(dir, "none"), "--out", out];
    const r = await capture(train, base);
    assertEquals(r.code, 2);
    assert(r.stderr[0].includes("already holds a checkpoint"), r.stderr[0]);
    await Deno.writeTextFile(join(dir, "w.lz4"), "precious");
    const e = await capture(train, [...base, "--resume", "--export", join(dir, "w")]);
    assertEquals(e.code, 2);
    assert(
      e.stderr[0].startsWith("error: --export") && e.stderr[0].includes("--overwrite"),
      e.stderr[0],
    );
    const file = await capture(train, [
      "--net",
      "pnet",
      "--data",
      dir,
      "--out",
      join(dir, "w.lz4"),
    ]);
    assertEquals(file.code, 2);
    assert(file.stderr[0].includes("is a file, not a folder"), file.stderr[0]);
    // A damaged index.json is a one-line error, not a JSON.parse exception.
    await Deno.writeTextFile(join(dir, "index.json"), "{ not json");
    const bad = await capture(train, [
      "--net",
      "pnet",
      "--data",
      dir,
      "--out",
      join(dir, "run2"),
      "--backend",
      "cpu",
    ]);
    assertEquals(bad.thrown, undefined);
    assertEquals(bad.code, 1, bad.stderr.join("\n"));
    assert(bad.stderr.at(-1)!.startsWith("error: "), bad.stderr.join("\n"));
    for (const f of ["checkpoint.bin"]) {
      assertEquals(await Deno.readTextFile(join(out, f)), "precious");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
