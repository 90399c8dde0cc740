import { assert, assertEquals } from "./_assert.ts";
import { imageOfLine, openNdjsonOutput } from "../pipelines/edge/ndjson_output.ts";
import { imageSources, readLines } from "../pipelines/edge/image_sources.ts";
import { jobIdOf, jobImage, redisConnection } from "../pipelines/edge/redis_queue.ts";

Deno.test("imageOfLine() reads our lines by their prefix and others' lines whole", () => {
  assertEquals(imageOfLine('{"image":"a \\"b\\".jpg","faces":[]}'), 'a "b".jpg');
  assertEquals(imageOfLine('{"faces":[],"image":"x.jpg"}'), "x.jpg");
  assertEquals(imageOfLine('{"image":"cut'), undefined);
  assertEquals(imageOfLine("garbage"), undefined);
});

Deno.test(
  "openNdjsonOutput() refuses an existing file without resume, cuts a partial last " +
    "line with it, and knows the images written",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/o.ndjson`;
      const a = await openNdjsonOutput(path, false);
      assert(a._tag === "Right");
      await a.right.append({ image: "a.jpg" });
      await a.right.append({ image: "b.jpg" });
      assert(a.right.has("b.jpg") && !a.right.has("c.jpg"));
      await a.right.close();
      const refused = await openNdjsonOutput(path, false);
      assert(refused._tag === "Left" && refused.left._tag === "OptionError");
      assert(refused.left.message.includes("--resume"), refused.left.message);
      await Deno.writeTextFile(path, '{"image":"c.jp', { append: true });
      const b = await openNdjsonOutput(path, true);
      assert(b._tag === "Right");
      assertEquals([b.right.resumed, b.right.repairedBytes], [2, 14]);
      assert(b.right.has("a.jpg") && !b.right.has("c.jpg"));
      await b.right.append({ image: "c.jpg" });
      await b.right.close();
      const lines = (await Deno.readTextFile(path)).split("\n");
      assertEquals(lines.map((l) => l && JSON.parse(l).image), ["a.jpg", "b.jpg", "c.jpg", ""]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("readLines() splits CRLF and a last line without newline across chunks", async () => {
  const chunks = ["a\r", "\nb", "c\n", "d"].map((s) => new TextEncoder().encode(s));
  const stream = ReadableStream.from(chunks);
  const got: string[] = [];
  for await (const l of readLines(stream)) got.push(l);
  assertEquals(got, ["a", "bc", "d"]);
});

Deno.test("imageSources() walks folders sorted, keeps URLs and missing paths, reads lists", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/d/e`, { recursive: true });
    for (const f of ["d/b.jpg", "d/a.PNG", "d/e/c.jpeg", "d/notes.txt"]) {
      await Deno.writeFile(`${dir}/${f}`, new Uint8Array(1));
    }
    await Deno.writeTextFile(`${dir}/list`, `# x\nhttps://h/p.jpg\n\n${dir}/d/e\n`);
    const got: string[] = [];
    for await (const s of imageSources([`${dir}/d`, `${dir}/none.jpg`], [`${dir}/list`])) {
      got.push(s.startsWith(dir) ? s.slice(dir.length) : s);
    }
    assertEquals(got, [
      "/d/a.PNG",
      "/d/b.jpg",
      "/d/e/c.jpeg",
      "/none.jpg",
      "https://h/p.jpg",
      "/d/e/c.jpeg",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("queue job ids: one per absolute path or URL, without ':'; --redis URLs checked", async () => {
  const id = await jobIdOf(jobImage("photo.jpg"));
  assertEquals(id, await jobIdOf(`${Deno.cwd()}/photo.jpg`));
  assert(/^[0-9a-f]{40}$/.test(id), id);
  assert(id !== await jobIdOf(jobImage("https://h/photo.jpg")));
  assertEquals(jobImage("https://h/a.jpg"), "https://h/a.jpg");
  const c = redisConnection("redis://:pw@10.0.0.2:7000/3");
  assert(typeof c !== "string");
  assertEquals([c.host, c.port, c.password, c.db], ["10.0.0.2", 7000, "pw", 3]);
  assertEquals(typeof redisConnection("http://x"), "string");
  assertEquals(typeof redisConnection("not a url"), "string");
});
