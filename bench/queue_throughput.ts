/**
 * The queue against plain `detect` on the same images, same machine, same run: wall time of
 * `detect --output` over the folder, and of one or two `queue work` processes draining a queue
 * of the same images (from their start to the last job done; both include start-up), plus the
 * Redis commands and bytes per job. Starts a private redis-server (append-only, fsync every
 * second) on a free port.
 *
 *   deno run -A bench/queue_throughput.ts [DIR] [--rounds N]
 */
import { join } from "node:path";
import { freePort, startCli, startRedis, waitFor } from "../tests/_redis.ts";
import { sharedData } from "../tests/_shared.ts";

const dir = Deno.args.find((a, i) => !a.startsWith("--") && !Deno.args[i - 1]?.startsWith("--")) ??
  sharedData("wider_val_416/images");
const argOf = (name: string): string | undefined => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
};
const rounds = Number(argOf("rounds") ?? 1);
const concurrency = argOf("concurrency") ?? "2";
const processCounts = (argOf("processes") ?? "1,2").split(",").map(Number);
const n = [...Deno.readDirSync(dir)].filter((e) => /\.(jpe?g|png)$/i.test(e.name)).length;

const redisCli = async (port: number, ...args: string[]): Promise<string> => {
  const o = await new Deno.Command("redis-cli", { args: ["-p", String(port), ...args] }).output();
  return new TextDecoder().decode(o.stdout);
};
const infoField = (info: string, key: string): number =>
  Number(new RegExp(`^${key}:(\\d+)`, "m").exec(info)?.[1] ?? NaN);

const ZCARDS = "return redis.call('zcard', KEYS[1]) + redis.call('zcard', KEYS[2])";

// Sums MEMORY USAGE over a queue's keys, and over its job hashes (prefix + 40 hex digits).
const KEY_BYTES = `local all, jobs = 0, 0
for _, k in ipairs(redis.call('keys', ARGV[1] .. '*')) do
  local b = redis.call('memory', 'usage', k, 'samples', '0')
  all = all + b
  if #k == #ARGV[1] + 40 then jobs = jobs + b end
end
return {all, jobs}`;

/** The stream entry id above line `i` of redis-cli's XRANGE output (the ms part). */
const findId = (lines: string[], i: number): string => {
  for (let k = i; k >= 0; k--) if (/^\d+-\d+$/.test(lines[k])) return lines[k].split("-")[0];
  return "NaN";
};

const plain = async (tmp: string, k: number, from = dir): Promise<number> => {
  const t0 = performance.now();
  const r = await startCli([
    "detect",
    "--output",
    join(tmp, `plain${k}-${Math.random()}.ndjson`),
    from,
  ])
    .done();
  if (r.code !== 0) throw new Error(r.stderr);
  return (performance.now() - t0) / 1000;
};

interface QueueRun {
  seconds: number;
  windowSeconds: number;
  commandsPerJob: number;
  scriptsPerJob: number;
  redisCpuMsPerJob: number;
  bytesPerJob: number;
  jobKeyBytes: number;
  queueKeyBytesPerJob: number;
  addSeconds: number;
}

const viaQueue = async (tmp: string, processes: number, k: number): Promise<QueueRun> => {
  const port = freePort();
  const rdir = await Deno.makeTempDir({ dir: tmp });
  const redis = await startRedis(port, rdir, true);
  await redisCli(port, "config", "set", "appendfsync", "everysec");
  try {
    const url = redis.url;
    const name = `bench${processes}-${k}`;
    const mem0 = infoField(await redisCli(port, "info", "memory"), "used_memory");
    const cpu = async () => {
      const info = await redisCli(port, "info", "cpu");
      const f = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, "m").exec(info)?.[1] ?? NaN);
      return f("used_cpu_user") + f("used_cpu_sys");
    };
    const cpu0 = await cpu();
    const a0 = performance.now();
    const add = await startCli(["queue", "add", "--redis", url, "--queue", name, dir]).done();
    if (add.code !== 0) throw new Error(add.stderr);
    const addSeconds = (performance.now() - a0) / 1000;
    const threads = String(Math.max(1, 2 / processes));
    const t0 = performance.now();
    const workers = Array.from(
      { length: processes },
      () =>
        startCli([
          "queue",
          "work",
          "--redis",
          url,
          "--queue",
          name,
          "--workers",
          threads,
          "--concurrency",
          concurrency,
        ]),
    );
    // Polled with redis-cli (cheap), not with `queue status` (a Deno process each time).
    let polls = 0;
    await waitFor(`${n} jobs`, async () => {
      polls++;
      const keys = [`bull:${name}:completed`, `bull:${name}:failed`];
      const done = await redisCli(port, "eval", ZCARDS, "2", ...keys);
      return Number(done) === n;
    }, 600_000);
    const seconds = (performance.now() - t0) / 1000;
    // The processing window, start-up excluded: first job taken to last job done (event ids
    // are Redis's millisecond clock).
    const events = (await redisCli(port, "xrange", `bull:${name}:events`, "-", "+")).split("\n");
    const stamps = (what: string) =>
      events.flatMap((l, i) =>
        l === what && events[i - 1] === "event" ? [Number(findId(events, i))] : []
      );
    const active = stamps("active");
    const done = stamps("completed");
    const windowSeconds = (Math.max(...done) - Math.min(...active)) / 1000;
    for (const w of workers) w.child.kill("SIGTERM");
    for (const w of workers) await w.done();
    const redisCpuMsPerJob = (await cpu() - cpu0) * 1000 / n;
    const stats = await redisCli(port, "info", "commandstats");
    const evalsha = [...stats.matchAll(/^cmdstat_evalsha:calls=(\d+)/gm)].reduce(
      (s, m) => s + Number(m[1]),
      0,
    );
    // Every command (those run inside BullMQ's Lua scripts too) but our own polls (EVAL of two ZCARDs) and INFO / CONFIG / SCAN.
    const calls = [...stats.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)]
      .filter((m) => !["info", "config", "scan"].includes(m[1]))
      .reduce((s, m) => s + Number(m[2]), 0) - 3 * polls;
    const mem1 = infoField(await redisCli(port, "info", "memory"), "used_memory");
    // Bytes of the queue's own keys (job hashes, state sets, event stream) and of job hashes.
    const [allKeys, jobKeys] = (await redisCli(port, "eval", KEY_BYTES, "0", `bull:${name}:`))
      .trim().split("\n").map(Number);
    const jobKeyBytes = jobKeys / n;
    return {
      seconds,
      windowSeconds,
      commandsPerJob: calls / n,
      scriptsPerJob: evalsha / n,
      redisCpuMsPerJob,
      bytesPerJob: (mem1 - mem0) / n,
      queueKeyBytesPerJob: allKeys / n,
      jobKeyBytes,
      addSeconds,
    };
  } finally {
    await redis.stop();
  }
};

const tmp = await Deno.makeTempDir();
try {
  const load = () => Deno.loadavg()[0].toFixed(2);
  console.log(`${n} images in ${dir}; load ${load()}`);
  console.log(
    "| run | round | s | images/s | scripts/job | cmds/job | used_memory/job | queue keys bytes/job | job hash bytes | Redis CPU ms/job |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (let k = 0; k < rounds; k++) {
    // Plain detect's steady rate: the same run on the first 20 images, subtracted.
    const head = join(tmp, `head${k}`);
    await Deno.mkdir(head);
    const first = [...Deno.readDirSync(dir)].map((e) => e.name).filter((f) =>
      /\.(jpe?g|png)$/i.test(f)
    )
      .sort().slice(0, 20);
    for (const f of first) await Deno.symlink(join(dir, f), join(head, f));
    const p20 = await plain(tmp, k, head);
    const p = await plain(tmp, k);
    console.error(
      `  (plain detect on the first 20: ${p20.toFixed(1)} s; the other ${n - 20} at ${
        ((n - 20) / (p - p20)).toFixed(2)
      } images/s)`,
    );
    console.log(`| detect --output | ${k} | ${p.toFixed(1)} | ${(n / p).toFixed(2)} | | | | | | |`);
    for (const processes of processCounts) {
      const q = await viaQueue(tmp, processes, k);
      console.log(
        `| queue, ${processes} worker process(es) | ${k} | ${q.seconds.toFixed(1)} | ${
          (n / q.seconds).toFixed(2)
        } | ${q.scriptsPerJob.toFixed(1)} | ${q.commandsPerJob.toFixed(1)} | ${
          q.bytesPerJob.toFixed(0)
        } | ${q.queueKeyBytesPerJob.toFixed(0)} | ${q.jobKeyBytes.toFixed(0)} | ${
          q.redisCpuMsPerJob.toFixed(3)
        } |`,
      );
      console.error(
        `  (queue add took ${q.addSeconds.toFixed(2)} s; first job taken to last done ${
          q.windowSeconds.toFixed(1)
        } s = ${(n / q.windowSeconds).toFixed(2)} images/s)`,
      );
    }
  }
  console.log(`load at the end ${load()}`);
} finally {
  await Deno.remove(tmp, { recursive: true });
}
