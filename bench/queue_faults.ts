/**
 * The full fault scenario on a folder (default: the 200 images of wider_val_416) plus a
 * poisoned file: two `queue work` processes, one killed with `kill -9` mid-run, Redis stopped
 * and restarted (append-only file, `appendfsync always`) while a third worker is started, and
 * then checks that every image was completed exactly once (the queue's event stream) with the
 * faces of a plain `detect` run. tests/queue_test.ts runs the same on 24 images.
 *
 *   deno run -A bench/queue_faults.ts [DIR]
 */
import { Queue } from "bullmq";
import { join, resolve } from "node:path";
import {
  type CliProcess,
  freePort,
  killAll,
  startCli,
  startRedis,
  waitFor,
} from "../tests/_redis.ts";
import { sharedData } from "../tests/_shared.ts";

const dir = resolve(Deno.args[0] ?? sharedData("wider_val_416/images"));
const tmp = await Deno.makeTempDir();
const port = freePort();
let redis = await startRedis(port, tmp, true);
const url = redis.url;
const q = new Queue("faults", { connection: { host: "127.0.0.1", port } });
const procs: CliProcess[] = [];
const log = (s: string) => console.log(`${(performance.now() / 1000).toFixed(1)} s: ${s}`);
const counts = () => q.getJobCounts("waiting", "active", "completed", "failed", "delayed");
try {
  const plainOut = join(tmp, "plain.ndjson");
  const plain = await startCli(["detect", "--output", plainOut, dir]).done();
  if (plain.code !== 0) throw new Error(plain.stderr);
  const want = new Map(
    (await Deno.readTextFile(plainOut)).trim().split("\n").map((l) => JSON.parse(l))
      .map((l) => [l.image, JSON.stringify(l.faces)]),
  );
  await Deno.writeTextFile(join(tmp, "poison.jpg"), "not a JPEG");
  const add = await startCli(
    ["queue", "add", "--redis", url, "--queue", "faults", dir, join(tmp, "poison.jpg")],
  ).done();
  log(`added: ${add.stdout.trim()}`);
  const total = want.size + 1;
  const opts = ["--queue", "faults", "--workers", "1", "--lock-ms", "5000"];
  const work = () => startCli(["queue", "work", "--redis", url, ...opts]);
  procs.push(work(), work());
  await waitFor("a quarter done", async () => (await counts()).completed >= total / 4, 600_000);
  procs[0].child.kill("SIGKILL");
  log(`kill -9 worker 1: ${JSON.stringify(await counts())}`);
  await waitFor("half done", async () => (await counts()).completed >= total / 2, 600_000);
  await redis.stop();
  log("Redis stopped; starting worker 3");
  procs.push(work());
  await new Promise((r) => setTimeout(r, 2000));
  redis = await startRedis(port, tmp, true);
  log(`Redis restarted: ${JSON.stringify(await counts())}`);
  await waitFor("all done", async () => {
    const c = await counts();
    return c.completed + c.failed === total;
  }, 1_200_000);
  log(`all done: ${JSON.stringify(await counts())}`);
  for (const p of procs.slice(1)) p.child.kill("SIGTERM");
  for (const p of procs) await p.done();
  const client = await q.client;
  const events: [string, string[]][] = await client.runCommand("xrange", [
    "bull:faults:events",
    "-",
    "+",
  ]);
  const completions = new Map<string, number>();
  let stalled = 0;
  for (const [, f] of events) {
    const m = new Map<string, string>();
    for (let i = 0; i < f.length; i += 2) m.set(f[i], f[i + 1]);
    if (m.get("event") === "completed") {
      completions.set(m.get("jobId")!, (completions.get(m.get("jobId")!) ?? 0) + 1);
    }
    if (m.get("event") === "stalled") stalled++;
  }
  const twice = [...completions.values()].filter((n) => n !== 1).length;
  const res = await startCli(["queue", "results", "--redis", url, "--queue", "faults"]).done();
  const lines = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const differ = lines.filter((l) => !l.error && want.get(l.image) !== JSON.stringify(l.faces));
  const failed = lines.filter((l) => l.error).map((l) => `${l.image}: ${l.error.tag}`);
  console.log(JSON.stringify({
    images: want.size,
    completedJobs: completions.size,
    completedMoreThanOnce: twice,
    stalledEvents: stalled,
    resultLines: lines.length,
    distinctImages: new Set(lines.map((l) => l.image)).size,
    facesDifferFromPlainDetect: differ.length,
    failed,
  }));
} finally {
  await killAll(procs);
  await q.close();
  await redis.stop();
  await Deno.remove(tmp, { recursive: true });
}
