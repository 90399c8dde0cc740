import { runCli as run } from "./_cli_process.ts";
import { assert, assertEquals } from "./_assert.ts";
import { GROUP, IVAN } from "./_faces.ts";

/** A blank picture, as PNG: no face in it. */
const writeBlank = async (path: string) => {
  const { Image } = await import("imagescript");
  await Deno.writeFile(path, await new Image(200, 150).fill(0x8090a0ff).encode());
};

Deno.test("detect --help documents the options; a usage error exits with 2", async () => {
  const h = await run("detect", "--help");
  assertEquals(h.code, 0);
  for (
    const opt of [
      "--min-face-size",
      "--scale-factor",
      "--thresholds",
      "--box-format",
      "--backend",
      "--out",
    ]
  ) {
    assert(h.stdout.includes(opt), opt);
  }
  const bad = await run("detect", "--thresholds", "1,2", "x.jpg");
  assertEquals(bad.code, 2);
  assert(bad.stderr.startsWith("error: --thresholds"), bad.stderr);
  assertEquals((await run("nope")).code, 2);
});

Deno.test({
  name: "detect prints one NDJSON line per image, reports bad files on stderr and goes on",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/broken.jpg`, "not a jpeg");
      await writeBlank(`${dir}/blank.png`);
      const r = await run(
        "detect",
        "--workers",
        "0",
        "--box-format",
        "xyxy",
        "--out",
        `${dir}/out`,
        "--crops",
        `${dir}/crops`,
        IVAN,
        `${dir}/broken.jpg`,
        `${dir}/missing.png`,
        `${dir}/blank.png`,
      );
      assertEquals(r.code, 1);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assertEquals(lines.map((l) => l.faces.length), [1, 0]);
      assertEquals([lines[0].width, lines[0].height], [561, 561]);
      const [x1, y1, x2, y2] = lines[0].faces[0].box;
      assert(x2 > x1 && y2 > y1 && Math.abs(x1 - 277) < 5, JSON.stringify(lines[0]));
      const errors = r.stderr.trim().split("\n");
      assertEquals(errors.length, 2, r.stderr);
      assert(errors[0].includes("broken.jpg") && errors[1].includes("missing.png"), r.stderr);
      assert(!r.stderr.includes("    at "), "no stack trace without --verbose");
      const drawn = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort();
      assertEquals(drawn, ["blank.png", "ivan.png"]);
      const { Image } = await import("imagescript");
      const crop = await Image.decode(await Deno.readFile(`${dir}/crops/ivan_0.png`));
      assertEquals([crop.width, crop.height], [112, 112]);
      assertEquals([...Deno.readDirSync(`${dir}/crops`)].length, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "detect on several images (workers and the decode worker) prints what --workers 0 prints",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/broken.jpg`, "not a jpeg");
      await writeBlank(`${dir}/blank.png`);
      const inputs = [IVAN, `${dir}/broken.jpg`, GROUP, `${dir}/blank.png`];
      const pooled = await run("detect", ...inputs);
      const single = await run("detect", "--workers", "0", ...inputs);
      assertEquals([pooled.code, single.code], [1, 1]);
      assertEquals(pooled.stdout, single.stdout);
      const lines = pooled.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assertEquals(lines.map((l) => l.faces.length), [1, 6, 0]);
      assert(pooled.stderr.includes("broken.jpg"), pooled.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
