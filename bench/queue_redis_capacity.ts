/**
 * How many jobs a second one Redis can carry for the queue: N jobs added with `addImages`
 * (as `queue add` does) and taken by BullMQ workers whose job function returns a typical
 * result record at once (no detection), with our job options, against a private
 * redis-server (append-only, fsync every second). Prints the wall rate (bounded by this one
 * client process) and Redis's own CPU time per job, the figure that bounds one Redis.
 *
 *   deno run -A bench/queue_redis_capacity.ts [--jobs N] [--concurrency C]
 */
import { Worker } from "bullmq";
import {
  addImages,
  KEY_PREFIX,
  openQueue,
  redisConnection,
} from "../pipelines/edge/redis_queue.ts";
import { freePort, startRedis, waitFor } from "../tests/_redis.ts";

const arg = (name: string, dflt: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : dflt;
};
const jobs = arg("jobs", 5000);
const concurrency = arg("concurrency", 50);

// A result line of a photo with three faces, as a worker returns it (about 1 KB as JSON).
const face = {
  box: [277.5007459974478, 94.0272238477266, 49.263424500230315, 62.79000000000001],
  confidence: 0.9998324513435364,
  keypoints: {
    left_eye: [291.4512329101562, 117.9100036621094],
    right_eye: [315.2400054931641, 116.0299987792969],
    nose: [304.5700073242188, 132.4100036621094],
    mouth_left: [296.9900054931641, 143.8900146484375],
    mouth_right: [313.8900146484375, 142.7799987792969],
  },
};

const cli = async (port: number, ...args: string[]) =>
  new TextDecoder().decode(
    (await new Deno.Command("redis-cli", { args: ["-p", String(port), ...args] }).output()).stdout,
  );
const cpu = async (port: number) => {
  const info = await cli(port, "info", "cpu");
  const f = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, "m").exec(info)?.[1]);
  return f("used_cpu_user") + f("used_cpu_sys");
};

const dir = await Deno.makeTempDir();
const port = freePort();
const redis = await startRedis(port, dir, true);
await cli(port, "config", "set", "appendfsync", "everysec");
const connection = redisConnection(redis.url)!;
if (typeof connection === "string") throw new Error(connection);
const queue = openQueue(connection, "capacity");
try {
  const images = async function* () {
    for (let i = 0; i < jobs; i++) yield `/photos/${String(i).padStart(8, "0")}.jpg`;
  };
  const c0 = await cpu(port);
  const t0 = performance.now();
  await addImages(queue, images());
  const tAdd = performance.now();
  const c1 = await cpu(port);
  const worker = new Worker(
    "capacity",
    (job) =>
      Promise.resolve({
        image: job.data.image,
        width: 1920,
        height: 1080,
        faces: [face, face, face],
      }),
    { connection, prefix: KEY_PREFIX, concurrency },
  );
  await waitFor(
    "all jobs",
    async () => (await queue.getJobCounts("completed")).completed === jobs,
    600_000,
  );
  const t1 = performance.now();
  const c2 = await cpu(port);
  await worker.close();
  const ms = (c: number) => (c * 1000 / jobs).toFixed(3);
  console.log(JSON.stringify({
    jobs,
    concurrency,
    load: Deno.loadavg()[0],
    addJobsPerSecond: Math.round(jobs / ((tAdd - t0) / 1000)),
    workJobsPerSecond: Math.round(jobs / ((t1 - tAdd) / 1000)),
    redisCpuMsPerJobAdd: ms(c1 - c0),
    redisCpuMsPerJobWork: ms(c2 - c1),
    redisJobsPerCpuSecond: Math.round(jobs / (c2 - c0)),
  }));
} finally {
  await queue.close();
  await redis.stop();
  await Deno.remove(dir, { recursive: true });
}
