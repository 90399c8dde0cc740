/**
 * The demo's static server (web/server.ts) and `deno task web`'s arguments. Requests are sent as
 * raw HTTP over TCP so that no client normalises `..` away before the server sees it. Needs
 * --allow-net (`deno task test:browser`); ignored with a message otherwise.
 */
import { run } from "../cli/web.ts";
import { createWebHandler, rawPath } from "../web/server.ts";
import { assert, assertEquals } from "./_assert.ts";

const net = Deno.permissions.querySync({ name: "net", host: "127.0.0.1" }).state === "granted";
if (!net) console.warn("web_server_test.ts: server tests ignored: run `deno task test:browser`");

/** Sends `GET target` as written and returns the status code and body. */
const rawGet = async (port: number, target: string): Promise<{ status: number; body: string }> => {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode(
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    ),
  );
  const chunks: Uint8Array[] = [];
  for await (const c of conn.readable) chunks.push(c);
  const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
};

/** A site folder, an image folder inside a parent holding a secret, and symlinks in and out. */
const folders = async () => {
  const top = await Deno.makeTempDir({ prefix: "mtcnn_serve_" });
  const site = `${top}/site`, images = `${top}/images`;
  await Deno.mkdir(site);
  await Deno.mkdir(`${images}/sub`, { recursive: true });
  await Deno.writeTextFile(`${site}/index.html`, "<p>page</p>");
  await Deno.writeTextFile(`${top}/secret.txt`, "SECRET");
  await Deno.writeFile(`${images}/a.jpg`, new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
  await Deno.writeFile(`${images}/sub/b.png`, new Uint8Array([0x89, 0x50]));
  await Deno.symlink(`${top}/secret.txt`, `${images}/out.jpg`);
  await Deno.symlink(`${top}`, `${images}/up`);
  await Deno.symlink(`${images}/a.jpg`, `${images}/in.jpg`);
  return { top, site, images };
};

Deno.test({
  name: "web server: serves the page and images, refuses every path outside the image folder",
  ignore: !net,
  fn: async () => {
    const { top, site, images } = await folders();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      createWebHandler({ site, images }),
    );
    const port = server.addr.port;
    try {
      assertEquals((await rawGet(port, "/")).body, "<p>page</p>");
      assertEquals((await rawGet(port, "/images/a.jpg")).status, 200);
      assertEquals((await rawGet(port, "/images/sub/b.png")).status, 200);
      assertEquals((await rawGet(port, "/images/in.jpg")).status, 200, "a symlink inside");
      assertEquals((await rawGet(port, "/images/missing.jpg")).status, 404);
      assertEquals((await rawGet(port, "/images/sub")).status, 404, "a folder is not a file");
      const refused = [
        "/images/../secret.txt",
        "/images/sub/../../secret.txt",
        "/images/%2e%2e/secret.txt",
        "/images/%2E%2e/secret.txt",
        "/images/.%2e/secret.txt",
        "/images/..%2fsecret.txt",
        "/images/..%5csecret.txt",
        "/images/%2fetc%2fpasswd",
        "/images//etc/passwd",
        `/images/${encodeURIComponent(`${top}/secret.txt`)}`,
        "/images/out.jpg", // a symlink to a file outside
        "/images/up/secret.txt", // a symlink to a folder outside
        "/images/a.jpg%00.png",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "http://127.0.0.1/images/../secret.txt",
      ];
      for (const target of refused) {
        const r = await rawGet(port, target);
        assert(r.status === 403 || r.status === 400, `${target}: status ${r.status}`);
        assert(!r.body.includes("SECRET"), `${target}: the secret was served`);
      }
      assertEquals((await rawGet(port, "/images/%zz.jpg")).status, 400, "bad percent-encoding");
      const head = await fetch(`http://127.0.0.1:${port}/images/a.jpg`, { method: "HEAD" });
      assertEquals(head.headers.get("content-type"), "image/jpeg");
      await head.body?.cancel();
      const post = await fetch(`http://127.0.0.1:${port}/`, { method: "POST" });
      assertEquals(post.status, 405);
      await post.body?.cancel();
    } finally {
      await server.shutdown();
      await Deno.remove(top, { recursive: true });
    }
  },
});

Deno.test({
  name: "deno task web: a port in use is a one-line error, exit 1",
  ignore: !net,
  fn: async () => {
    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const errors: string[] = [];
    const original = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      const port = (taken.addr as Deno.NetAddr).port;
      const args = ["--port", String(port), "--images", "fixtures/faces", "--site", "fixtures"];
      assertEquals(await run(args), 1);
    } finally {
      console.error = original;
      taken.close();
    }
    assertEquals(errors.length, 1);
    assert(errors[0].includes("the port is in use"), errors[0]);
  },
});

Deno.test("rawPath() keeps the request target as sent, without the query", () => {
  assertEquals(rawPath("http://127.0.0.1:8000/images/%2e%2e/x?y=1"), "/images/%2e%2e/x");
  assertEquals(rawPath("http://127.0.0.1:8000"), "/");
  assertEquals(rawPath("/a/../b#c"), "/a/../b");
});

Deno.test("deno task web: usage errors exit 2 with one line", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (m: string) => errors.push(m);
  try {
    assertEquals(await run(["--port", "http"]), 2);
    assertEquals(await run(["--images", "/no/such/folder"]), 2);
    assertEquals(await run(["--colour"]), 2);
    assertEquals(await run(["extra"]), 2);
  } finally {
    console.error = original;
  }
  assertEquals(errors.length, 4);
  assert(errors[0].includes("--port must be an integer"), errors[0]);
  assert(errors[1].includes("/no/such/folder is not a folder"), errors[1]);
  assert(errors.every((e) => !e.includes("\n")), "one line each");
});
