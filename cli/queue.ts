/**
 * `queue`: detection over many machines through a BullMQ queue on Redis. `add` enqueues one
 * job per image (dedupe by path or URL), `work` runs a worker, `status` prints the counts,
 * `results` writes detect's NDJSON. The Redis side is `pipelines/edge/redis_queue.ts`.
 *
 * @module
 */
import { describe } from "../lib/errors.ts";
import { imageSources } from "../pipelines/edge/image_sources.ts";
import {
  addImages,
  DEFAULT_QUEUE,
  openQueue,
  queueCounts,
  queueResults,
  redisConnection,
} from "../pipelines/edge/redis_queue.ts";
import { parseArgs } from "./args.ts";
import { printError } from "./common.ts";
import { outputOptionsFrom } from "./detect_sources.ts";

/** The help text. */
export const QUEUE_HELP = `Usage: deno task queue <add|work|status|results> --redis URL [options]

  add --redis URL [--queue NAME] <image|directory|URL>... [--list FILE]
      one job per image (directories and lists streamed); the job id comes from the absolute
      path or the URL, so an image added twice is one job. Prints {"added", "existing"}.
  work --redis URL [--queue NAME] [--concurrency N] [--workers N] [--lock-ms MS]
       [detect options] [--fetch-timeout S] [--max-bytes N]
      runs a worker until SIGTERM / SIGINT (then finishes its active jobs and exits); waits
      for Redis when it is not up. A bad image fails its job with the typed error, without
      retry; a transient failure (URL timeout, HTTP 5xx) is retried with back-off (5 tries).
      See 'deno task queue work --help' for the detect options.
  status --redis URL [--queue NAME]
      one JSON line {"waiting", "active", "completed", "failed", "delayed", "prioritized"}
  results --redis URL [--queue NAME]
      detect's NDJSON on stdout, each image once: faces of completed jobs, then failed ones
      as {"image", "error": {"tag", "message"}}

  --redis URL     redis://[user:password@]host[:port][/db]
  --queue NAME    queue name (default ${DEFAULT_QUEUE})
  -h, --help      this help
`;

const enc = new TextEncoder();
const writeLine = async (v: unknown) => {
  const bytes = enc.encode(JSON.stringify(v) + "\n");
  for (let off = 0; off < bytes.length;) off += await Deno.stdout.write(bytes.subarray(off));
};

/** Runs the command; returns the exit code. */
export const run = async (args: string[]): Promise<number> => {
  const [sub, ...rest] = args;
  if (sub === "work") return await (await import("./queue_work.ts")).runWork(rest);
  if (sub === undefined || sub === "-h" || sub === "--help") {
    console.log(QUEUE_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (!["add", "status", "results"].includes(sub)) {
    printError(`unknown queue command ${JSON.stringify(sub)} (see --help)`);
    return 2;
  }
  const parsed = parseArgs(rest, {
    values: ["redis", "queue", ...(sub === "add" ? ["list"] : [])],
    flags: ["help"],
  });
  if (typeof parsed === "string") return printError(`${parsed} (see --help)`), 2;
  const o = parsed.options;
  if (o.help) return console.log(QUEUE_HELP), 0;
  if (typeof o.redis !== "string") return printError("--redis URL is needed (see --help)"), 2;
  const connection = redisConnection(o.redis, false);
  if (typeof connection === "string") return printError(connection), 2;
  const name = typeof o.queue === "string" ? o.queue : DEFAULT_QUEUE;
  if (sub !== "add" && parsed.positional.length > 0) {
    return printError(`queue ${sub} takes no images (see --help)`), 2;
  }
  const io = outputOptionsFrom(o);
  if (typeof io === "string") return printError(io), 2;
  if (sub === "add" && parsed.positional.length === 0 && io.lists.length === 0) {
    return printError("queue add: no image given (see --help)"), 2;
  }
  const queue = openQueue(connection, name);
  try {
    if (sub === "add") {
      await writeLine(await addImages(queue, imageSources(parsed.positional, io.lists)));
    } else if (sub === "status") await writeLine(await queueCounts(queue));
    else for await (const r of queueResults(queue)) await writeLine(r);
    return 0;
  } catch (e) {
    printError(`queue ${sub} on ${o.redis} (${name}): ${describe(e)}`);
    return 1;
  } finally {
    await queue.close().catch(() => {});
  }
};
