import { Queue } from "bullmq";
import { assert, assertEquals } from "./_assert.ts";
import { ASTRONAUT, GROUP, IVAN } from "./_faces.ts";
import {
  type CliProcess,
  freePort,
  HAS_REDIS,
  killAll,
  noteRedisSkip,
  type RedisServer,
  startCli,
  startRedis,
  waitFor,
} from "./_redis.ts";
import { jobIdOf, KEY_PREFIX } from "../pipelines/edge/redis_queue.ts";

noteRedisSkip("queue_test.ts");

type Line = { image: string; faces?: unknown[]; error?: { tag: string; message: string } };
const parseLines = (s: string): Line[] =>
  s.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));

/** `n` distinct image paths (the photos of fixtures/faces/ in turn, linked under new names). */
const images = (n: number): string[] => {
  const dir = Deno.makeTempDirSync({ prefix: "mtcnn_queue_images_" });
  const photos = [IVAN, ASTRONAUT, GROUP];
  return Array.from({ length: n }, (_, i) => {
    const path = `${dir}/img_${String(i).padStart(3, "0")}.jpg`;
    Deno.symlinkSync(photos[i % photos.length], path);
    return path;
  });
};

const cliOk = async (args: string[]) => {
  const r = await startCli(args).done();
  assertEquals(r.code, 0, r.stderr);
  return r.stdout;
};

/** Plain `detect` faces by image, the reference the queue must give. */
const plainFaces = async (files: string[]): Promise<Map<string, unknown>> =>
  new Map(
    parseLines(await cliOk(["detect", "--workers", "1", ...files])).map((l) => [l.image, l.faces]),
  );

const counts = (q: Queue) => q.getJobCounts("waiting", "active", "completed", "failed", "delayed");

const worker = (url: string, extra: string[] = []): CliProcess =>
  startCli(["queue", "work", "--redis", url, "--workers", "1", "--lock-ms", "2000", ...extra]);

Deno.test({
  name: "queue: a worker started before Redis waits and connects; add dedupes by path; a " +
    "poisoned image fails once with its DecodeError; a 503 is retried; SIGTERM finishes the " +
    "active job; results equal plain detect's faces",
  ignore: !HAS_REDIS,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const port = freePort();
    const url = `redis://127.0.0.1:${port}`;
    let flakyHits = 0;
    let slowStarted = false;
    const ivan = await Deno.readFile(IVAN);
    const ac = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
      async (req) => {
        const path = new URL(req.url).pathname;
        if (path === "/flaky.jpg") {
          return ++flakyHits === 1 ? new Response("busy", { status: 503 }) : new Response(ivan);
        }
        slowStarted = true;
        await new Promise((r) => setTimeout(r, 1500));
        return new Response(ivan);
      },
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const w = worker(url);
    let redis: RedisServer | undefined;
    let q: Queue | undefined;
    try {
      const down = await startCli(["queue", "status", "--redis", url]).done();
      assertEquals(down.code, 1, "status without Redis fails with one line");
      assert(down.stderr.startsWith(`error: queue status on ${url}`), down.stderr);
      assertEquals(down.stderr.trim().split("\n").length, 1, down.stderr);
      await waitFor("the worker to wait for Redis", () => w.stderr().includes("waiting for Redis"));
      redis = await startRedis(port, dir);
      q = new Queue("mtcnn-detect", { connection: { host: "127.0.0.1", port } });
      const files = images(5);
      await Deno.writeTextFile(`${dir}/bad.jpg`, "not a jpeg at all");
      const first = await cliOk(["queue", "add", "--redis", url, ...files, `${dir}/bad.jpg`]);
      assertEquals(JSON.parse(first), { added: 6, existing: 0 });
      const again = await cliOk(["queue", "add", "--redis", url, files[0], `${base}/flaky.jpg`]);
      assertEquals(JSON.parse(again), { added: 1, existing: 1 });
      await waitFor("7 jobs done", async () => {
        const c = await counts(q!);
        return c.completed + c.failed === 7;
      });
      assert(w.stderr().includes("ready"), w.stderr());
      const bad = await q.getJob(await jobIdOf(`${dir}/bad.jpg`));
      assertEquals(await bad!.getState(), "failed");
      assertEquals(bad!.attemptsMade, 1, "no retry of a bad image");
      assert(bad!.failedReason.startsWith(`DecodeError: ${dir}/bad.jpg: `), bad!.failedReason);
      assertEquals(flakyHits, 2, "the 503 was retried once");
      const status = JSON.parse(await cliOk(["queue", "status", "--redis", url]));
      assertEquals([status.waiting, status.active, status.completed, status.failed], [0, 0, 6, 1]);
      // SIGTERM while a job is active: it completes, then the worker exits.
      await cliOk(["queue", "add", "--redis", url, `${base}/slow.jpg`]);
      await waitFor("the slow job to start", () => slowStarted);
      w.child.kill("SIGTERM");
      const end = await w.done();
      assertEquals(end.code, 0, end.stderr);
      assert(end.stderr.includes("stopped"), end.stderr);
      assertEquals((await counts(q)).completed, 7, "the active job finished before the exit");
      const lines = parseLines(await cliOk(["queue", "results", "--redis", url]));
      assertEquals(lines.length, 8);
      assertEquals(new Set(lines.map((l) => l.image)).size, 8, "each image once");
      const err = lines.filter((l) => l.error);
      assertEquals(err.map((l) => [l.image, l.error!.tag]), [[`${dir}/bad.jpg`, "DecodeError"]]);
      const want = await plainFaces([...files, IVAN]);
      for (const l of lines.filter((l) => !l.error)) {
        const key = l.image.startsWith(base) ? IVAN : l.image;
        assertEquals(l.faces, want.get(key), l.image);
      }
    } finally {
      try {
        w.child.kill("SIGKILL");
      } catch {
        // ended
      }
      await w.done();
      await q?.close();
      await redis?.stop();
      ac.abort();
      await server.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** How many times each job id was reported completed in the queue's event stream. */
const completions = async (q: Queue): Promise<Map<string, number>> => {
  const client = await q.client;
  const events: [string, string[]][] = await client.runCommand("xrange", [
    `${KEY_PREFIX}:${q.name}:events`,
    "-",
    "+",
  ]);
  const n = new Map<string, number>();
  for (const [, fields] of events) {
    const f = new Map<string, string>();
    for (let i = 0; i < fields.length; i += 2) f.set(fields[i], fields[i + 1]);
    if (f.get("event") === "completed") n.set(f.get("jobId")!, (n.get(f.get("jobId")!) ?? 0) + 1);
  }
  return n;
};

Deno.test({
  name: "queue faults: two workers, one killed with kill -9 mid-run, Redis restarted with " +
    "append-only persistence, a third worker started while it is down: every image completed " +
    "exactly once with plain detect's faces, the poisoned one failed",
  ignore: !HAS_REDIS,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const port = freePort();
    let redis = await startRedis(port, dir, true);
    const url = redis.url;
    const q = new Queue("faults", { connection: { host: "127.0.0.1", port } });
    const files = images(24);
    await Deno.writeTextFile(`${dir}/poison.jpg`, "\xff\xd8\xff garbage");
    const procs: CliProcess[] = [];
    try {
      const want = await plainFaces(files);
      const added = await cliOk(["queue", "add", "--redis", url, "--queue", "faults", ...files]);
      await cliOk(["queue", "add", "--redis", url, "--queue", "faults", `${dir}/poison.jpg`]);
      assertEquals(JSON.parse(added).added, 24);
      const opts = ["--queue", "faults", "--concurrency", "2"];
      procs.push(worker(url, opts), worker(url, opts));
      await waitFor("3 images done", async () => (await counts(q)).completed >= 3);
      procs[0].child.kill("SIGKILL");
      assertEquals((await procs[0].done()).code, 137);
      await redis.stop();
      procs.push(worker(url, opts)); // started while Redis is down
      await new Promise((r) => setTimeout(r, 1000));
      redis = await startRedis(port, dir, true);
      await waitFor("all 25 jobs done", async () => {
        const c = await counts(q);
        return c.completed + c.failed === 25;
      }, 90_000);
      for (const p of procs.slice(1)) p.child.kill("SIGTERM");
      for (const p of procs.slice(1)) assertEquals((await p.done()).code, 0);
      const c = await counts(q);
      assertEquals([c.completed, c.failed, c.waiting, c.active], [24, 1, 0, 0]);
      const done = await completions(q);
      assertEquals(done.size, 24);
      assert([...done.values()].every((n) => n === 1), "each job completed exactly once");
      const lines = parseLines(
        await cliOk(["queue", "results", "--redis", url, "--queue", "faults"]),
      );
      assertEquals(lines.length, 25);
      for (const l of lines) {
        if (l.image.endsWith("poison.jpg")) assertEquals(l.error!.tag, "DecodeError");
        else assertEquals(l.faces, want.get(l.image), l.image);
      }
    } finally {
      await killAll(procs);
      await q.close();
      await redis.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
