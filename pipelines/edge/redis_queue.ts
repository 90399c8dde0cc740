/**
 * The Redis edge: a BullMQ queue of detection jobs, one job per image. The job id is a hash of
 * the image's path or URL, so adding an image twice makes one job. Results stay in Redis as the
 * completed jobs' return values (failed jobs carry the typed error): they are kept until the
 * queue is emptied with `obliterate`, because the kept job is also what dedupes a later `add`.
 * See docs/scale.md for why and what it costs.
 *
 * @module
 */
import { type ConnectionOptions, Queue, UnrecoverableError, Worker } from "bullmq";
import { resolve } from "node:path";
import type { MtcnnError, MtcnnErrorTag } from "../../lib/errors.ts";
import { isUrl } from "./image_sources.ts";

/** BullMQ's default key prefix: a queue's keys are `bull:<queue>:...`. */
export const KEY_PREFIX = "bull";

/** The default queue name. */
export const DEFAULT_QUEUE = "mtcnn-detect";

/** A job's data: the image's absolute path or URL. */
export interface DetectJobData {
  /** Absolute path or http(s) URL. */
  readonly image: string;
}

/**
 * Retries of a transient failure (fetch timeout, HTTP 5xx, a backend failure): 5 attempts,
 * 2 s, 4 s, 8 s, 16 s apart. Bad images fail at once (`UnrecoverableError`).
 */
const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: "exponential", delay: 2000 },
  removeOnComplete: false,
  removeOnFail: false,
} as const;

/** Connection options of ioredis, as far as we set them. */
export interface RedisConnectionOptions {
  /** Host name or address. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** ACL user name. */
  readonly username?: string;
  /** Password. */
  readonly password?: string;
  /** Database number. */
  readonly db: number;
  /** Tries of one command across reconnects (null: wait for Redis as long as it takes). */
  readonly maxRetriesPerRequest: number | null;
  /** Delay before the next connection try, or null to give up. */
  readonly retryStrategy: (times: number) => number | null;
}

/**
 * ioredis options from a `redis://[user:password@]host[:port][/db]` URL, or an error message.
 * With `wait` (workers) commands wait for Redis however long it is away; without (add, status,
 * results) a Redis that cannot be reached fails the command after a few tries.
 */
export const redisConnection = (url: string, wait = true): RedisConnectionOptions | string => {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `--redis must be a URL like redis://127.0.0.1:6379, got ${JSON.stringify(url)}`;
  }
  if (u.protocol !== "redis:") return `--redis must start with redis://, got ${url}`;
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db)) return `--redis: database must be a number, got ${u.pathname}`;
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db,
    // Workers wait for Redis (at start and across restarts) instead of failing commands.
    maxRetriesPerRequest: wait ? null : 2,
    retryStrategy: (times: number) => (wait || times < 4 ? Math.min(200 * times, 2000) : null),
  };
};

/** The source as a job names it: an absolute path, or the URL as given. */
export const jobImage = (source: string): string => (isUrl(source) ? source : resolve(source));

/** The job id of an image: 40 hex digits of the SHA-256 of its absolute path or URL. */
export const jobIdOf = async (image: string): Promise<string> => {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(image));
  return Array.from(new Uint8Array(d).subarray(0, 20), (b) => b.toString(16).padStart(2, "0"))
    .join("");
};

/** Opens a queue (the connection is made lazily and retried). */
export const openQueue = (connection: ConnectionOptions, name: string): Queue =>
  new Queue(name, { connection, prefix: KEY_PREFIX, defaultJobOptions: JOB_OPTIONS });

/** How many images `add` enqueued and how many had a job already. */
export interface AddCounts {
  /** New jobs. */
  readonly added: number;
  /** Images that had a job (in any state). */
  readonly existing: number;
}

/** Enqueues one job per image of `images` (streamed, in batches of `batch`). */
export const addImages = async (
  queue: Queue,
  images: AsyncIterable<string>,
  batch = 1000,
): Promise<AddCounts> => {
  const client = await queue.client;
  let added = 0;
  let existing = 0;
  const flush = async (sources: string[]) => {
    const unique = [...new Set(sources.map(jobImage))];
    const ids = await Promise.all(unique.map(jobIdOf));
    const pipe = client.pipeline();
    for (const id of ids) pipe.runCommand("exists", [`${KEY_PREFIX}:${queue.name}:${id}`]);
    const found = (await pipe.exec()) ?? [];
    const fresh = unique.flatMap((
      image,
      i,
    ) => (found[i]?.[1] === 1 ? [] : [{ image, id: ids[i] }]));
    existing += sources.length - fresh.length;
    if (fresh.length === 0) return;
    await queue.addBulk(
      fresh.map(({ image, id }) => ({ name: "detect", data: { image }, opts: { jobId: id } })),
    );
    added += fresh.length;
  };
  let pending: string[] = [];
  for await (const s of images) {
    pending.push(s);
    if (pending.length >= batch) await flush(pending), pending = [];
  }
  if (pending.length > 0) await flush(pending);
  return { added, existing };
};

/** Job counts by state. */
export const queueCounts = async (queue: Queue): Promise<Record<string, number>> =>
  await queue.getJobCounts("waiting", "active", "completed", "failed", "delayed", "prioritized");

/** What a failed job's reason says: the typed error it carried. */
export const failedError = (reason: string | undefined): { tag: string; message: string } => {
  const m = /^([A-Za-z]+Error): ([\s\S]*)$/.exec(reason ?? "");
  return m ? { tag: m[1], message: m[2] } : { tag: "BackendError", message: reason ?? "failed" };
};

/**
 * The results: each completed job's return value, then each failed job as an error record
 * `{image, error: {tag, message}}`, paged (`page` jobs a read), each job once.
 */
export async function* queueResults(
  queue: Queue,
  page = 500,
): AsyncGenerator<Record<string, unknown>> {
  const seen = new Set<string>();
  for (const state of ["completed", "failed"] as const) {
    for (let start = 0;; start += page) {
      const jobs = await queue.getJobs([state], start, start + page - 1, true);
      for (const job of jobs) {
        if (!job?.id || seen.has(job.id)) continue;
        seen.add(job.id);
        const image = (job.data as DetectJobData).image;
        yield state === "completed"
          ? job.returnvalue as Record<string, unknown>
          : { image, error: failedError(job.failedReason) };
      }
      if (jobs.length < page) break;
    }
  }
}

/** What a worker's job function returns: a result record, or the typed error. */
export type DetectOutcome =
  | { readonly ok: Record<string, unknown> }
  | { readonly error: MtcnnError; readonly transient: boolean };

/** Options of {@linkcode startQueueWorker}. */
export interface QueueWorkerOptions {
  /** Jobs in flight at once. Default 2 (one detected while the next is read and decoded). */
  readonly concurrency?: number;
  /** Job lock in ms; a killed worker's jobs go back to waiting after about this. Default 30 s. */
  readonly lockMs?: number;
  /** Called with connection errors (Redis down): the worker keeps retrying. */
  readonly onError?: (e: Error) => void;
}

/** A running queue worker. */
export interface QueueWorker {
  /** Resolves once connected to Redis (it waits for a Redis that is not up yet). */
  readonly ready: Promise<void>;
  /** Stops taking jobs, lets the active ones finish, then disconnects. */
  close(): Promise<void>;
}

const TAGS: readonly MtcnnErrorTag[] = [
  "IoError",
  "DecodeError",
  "InputError",
  "WeightsError",
  "FormatError",
  "BackendError",
  "OptionError",
];

/**
 * Starts a BullMQ worker on `name` that runs `detect` on each job's image. A bad image fails
 * its job at once with the typed error as reason (`Tag: message`); a transient one is retried
 * with back-off.
 */
export const startQueueWorker = (
  connection: ConnectionOptions,
  name: string,
  detect: (image: string) => Promise<DetectOutcome>,
  options: QueueWorkerOptions = {},
): QueueWorker => {
  const lockMs = options.lockMs ?? 30_000;
  const worker = new Worker<DetectJobData>(
    name,
    async (job) => {
      const r = await detect(job.data.image);
      if ("ok" in r) return r.ok;
      const reason = `${
        TAGS.includes(r.error._tag) ? r.error._tag : "BackendError"
      }: ${r.error.message}`;
      throw r.transient ? new Error(reason) : new UnrecoverableError(reason);
    },
    {
      connection,
      prefix: KEY_PREFIX,
      concurrency: options.concurrency ?? 2,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 2,
    },
  );
  worker.on("error", (e) => options.onError?.(e));
  return { ready: worker.waitUntilReady().then(() => {}), close: () => worker.close() };
};
