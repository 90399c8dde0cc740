import { ASTRONAUT, GROUP, IVAN } from "./_faces.ts";
import { assert, assertEquals } from "./_assert.ts";

const cli = new URL("../cli.ts", import.meta.url).pathname;
const dec = new TextDecoder();

const detect = async (args: string[], stdin?: string) => {
  const p = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "detect", ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  if (stdin !== undefined) {
    const w = p.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await p.output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
};

type Line = {
  image: string;
  faces?: { box: number[]; confidence: number }[];
  error?: { tag: string; message: string };
};
const readLines = async (path: string): Promise<Line[]> =>
  (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));

/** `n` images (the photos of fixtures/faces/ in turn) linked into a fresh folder, under new names. */
const linkedImages = async (n: number): Promise<{ dir: string; names: string[] }> => {
  const dir = await Deno.makeTempDir();
  const photos = [IVAN, ASTRONAUT, GROUP];
  const names = Array.from({ length: n }, (_, i) => `img_${String(i).padStart(3, "0")}.jpg`);
  await Deno.mkdir(`${dir}/img/sub`, { recursive: true });
  for (const [i, name] of names.entries()) {
    await Deno.symlink(photos[i % photos.length], `${dir}/img/${i % 2 ? "sub/" : ""}${name}`);
  }
  return { dir, names };
};

Deno.test({
  name: "detect fetches http(s) URLs; HTTP errors, timeouts, size limits and non-images are " +
    "typed error lines in --output and on stderr, naming the URL and the status",
  fn: async () => {
    const ivan = await Deno.readFile(IVAN);
    // A PNG header declaring 100000x100000 pixels, then bytes without end: stopped early.
    const hugePng = new Uint8Array(33);
    hugePng.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
    new DataView(hugePng.buffer).setUint32(16, 100_000);
    new DataView(hugePng.buffer).setUint32(20, 100_000);
    hugePng.set([8, 2, 0, 0, 0], 24);
    let hugeBytesSent = 0;
    const ac = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
      async (req) => {
        const path = new URL(req.url).pathname;
        if (path === "/ivan.jpg") return new Response(ivan);
        if (path === "/gone.jpg") return new Response("no", { status: 404 });
        if (path === "/busy.jpg") return new Response("later", { status: 503 });
        if (path === "/note.jpg") return new Response("just text, not an image at all");
        if (path === "/slow.jpg") {
          await new Promise((r) => setTimeout(r, 3000));
          return new Response(ivan);
        }
        if (path === "/big.jpg") return new Response(new Uint8Array(300_000).fill(0xff));
        if (path === "/huge.png") {
          let stop = false;
          return new Response(
            new ReadableStream({
              start: (c) => c.enqueue(hugePng),
              pull: async (c) => {
                if (stop || hugeBytesSent > 50_000_000) return c.close();
                await new Promise((r) => setTimeout(r, 1));
                hugeBytesSent += 65536;
                c.enqueue(new Uint8Array(65536));
              },
              cancel: () => {
                stop = true;
              },
            }),
          );
        }
        return new Response("?", { status: 400 });
      },
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const dir = await Deno.makeTempDir();
    try {
      const urls = ["ivan.jpg", "gone.jpg", "busy.jpg", "note.jpg", "slow.jpg", "huge.png"]
        .map((p) => `${base}/${p}`);
      const r = await detect([
        "--output",
        `${dir}/out.ndjson`,
        "--fetch-timeout",
        "1",
        ...urls,
      ]);
      assertEquals(r.code, 1, r.stderr);
      const big = await detect(["--max-bytes", "200000", "--output", `${dir}/big.ndjson`, ...[
        `${base}/big.jpg`,
      ]]);
      assertEquals(big.code, 1, big.stderr);
      const lines = await readLines(`${dir}/out.ndjson`);
      assertEquals(lines.map((l) => l.image), urls);
      const local = await detect([IVAN]);
      assertEquals(lines[0].faces, JSON.parse(local.stdout).faces, "URL faces equal the file's");
      const err = Object.fromEntries(lines.slice(1).map((l) => [l.image.slice(base.length), l]));
      assertEquals(err["/gone.jpg"].error, {
        tag: "IoError",
        message: `${base}/gone.jpg: cannot fetch (HTTP 404 Not Found)`,
      });
      assert(err["/busy.jpg"].error!.message.includes("HTTP 503"), err["/busy.jpg"].error!.message);
      assertEquals(err["/note.jpg"].error!.tag, "DecodeError");
      assertEquals(err["/slow.jpg"].error!.tag, "IoError");
      assert(err["/slow.jpg"].error!.message.includes("timed out after 1 s"), "timeout named");
      assertEquals(err["/huge.png"].error!.tag, "InputError");
      assert(hugeBytesSent < 5_000_000, `download stopped early (${hugeBytesSent} bytes sent)`);
      const bigLine = (await readLines(`${dir}/big.ndjson`))[0];
      assertEquals(bigLine.error!.tag, "InputError");
      assert(bigLine.error!.message.includes("200000"), bigLine.error!.message);
      for (const u of urls.slice(1)) assert(r.stderr.includes(u), `${u} on stderr`);
      assertEquals(r.stdout, "", "with --output nothing goes to stdout");
    } finally {
      ac.abort();
      await server.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "detect streams --list FILE, --list - and directories; an image given twice is " +
    "written once; an existing --output is refused without --resume",
  fn: async () => {
    const { dir, names } = await linkedImages(4);
    try {
      const list = `${dir}/list.txt`;
      const [a, b] = [`${dir}/img/${names[0]}`, `${dir}/img/sub/${names[1]}`];
      await Deno.writeTextFile(list, `# two images\n${a}\n\n${b}\r\n${dir}/missing.jpg\n`);
      const r = await detect(["--output", `${dir}/o.ndjson`, "--list", list, `${dir}/img`]);
      assertEquals(r.code, 1, r.stderr);
      const lines = await readLines(`${dir}/o.ndjson`);
      const images = lines.map((l) => l.image);
      assertEquals(new Set(images).size, images.length, "each image once");
      assertEquals(images.length, 5); // 4 images (a and b given twice) and the missing file
      assertEquals(lines.filter((l) => l.error).map((l) => l.image), [`${dir}/missing.jpg`]);
      const again = await detect(["--output", `${dir}/o.ndjson`, a]);
      assertEquals(again.code, 2);
      assert(again.stderr.includes("--resume"), again.stderr);
      assertEquals((await readLines(`${dir}/o.ndjson`)).length, 5, "the file is untouched");
      // stdin is streamed: the first image's line comes before stdin is closed.
      const p = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", cli, "detect", "--workers", "1", "--list", "-"],
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const w = p.stdin.getWriter();
      await w.write(new TextEncoder().encode(`${b}\n`));
      let text = "";
      const reader = p.stdout.getReader();
      while (!text.includes("\n")) {
        const r = await reader.read();
        if (r.done) break;
        text += dec.decode(r.value);
      }
      assertEquals(JSON.parse(text.split("\n")[0]).image, b);
      await w.write(new TextEncoder().encode(`${a}\n`));
      await w.close();
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        text += dec.decode(r.value);
      }
      assertEquals((await p.status).code, 0);
      const out = text.trim().split("\n").map((l) => JSON.parse(l));
      assertEquals(out.map((l) => l.image), [b, a]);
      assertEquals(out[1].faces, lines.find((l) => l.image === a)!.faces);
      const noList = await detect(["--list", `${dir}/nope.txt`]);
      assertEquals(noList.code, 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a detect --output run killed with SIGKILL resumes: every image exactly once, a cut " +
    "last line repaired, faces equal an uninterrupted run",
  fn: async () => {
    const { dir, names } = await linkedImages(12);
    try {
      const full = await detect(["--output", `${dir}/full.ndjson`, `${dir}/img`]);
      assertEquals(full.code, 0, full.stderr);
      const part = `${dir}/part.ndjson`;
      const p = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", cli, "detect", "--output", part, `${dir}/img`],
        stdout: "null",
        stderr: "null",
      }).spawn();
      let seen = 0;
      for (let i = 0; i < 600 && seen < 4; i++) {
        await new Promise((r) => setTimeout(r, 25));
        seen = (await Deno.readTextFile(part).catch(() => "")).split("\n").length - 1;
      }
      p.kill("SIGKILL");
      await p.status;
      let text = await Deno.readTextFile(part);
      const whole = text.split("\n").length - 1;
      assert(whole >= 4 && whole < names.length, `killed mid-run (${whole} lines)`);
      // A kill in the middle of a write leaves half a line: make sure there is one.
      const lastStart = text.lastIndexOf("\n", text.length - 2) + 1;
      text = text.slice(0, lastStart + Math.floor((text.length - lastStart) / 2));
      await Deno.writeTextFile(part, text);
      const resumed = await detect(["--resume", "--output", part, `${dir}/img`]);
      assertEquals(resumed.code, 0, resumed.stderr);
      assert(resumed.stderr.includes("partial last line"), resumed.stderr);
      const got = await readLines(part);
      const want = await readLines(`${dir}/full.ndjson`);
      const images = got.map((l) => l.image);
      assertEquals(images.length, names.length);
      assertEquals(new Set(images).size, names.length, "no image twice");
      const byImage = new Map(want.map((l) => [l.image, l.faces]));
      for (const l of got) assertEquals(l.faces, byImage.get(l.image), l.image);
      const nothing = await detect(["--resume", "--output", part, `${dir}/img`]);
      assertEquals(nothing.code, 0);
      assertEquals((await readLines(part)).length, names.length, "a finished run adds nothing");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
