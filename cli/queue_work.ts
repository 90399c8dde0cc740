/**
 * `queue work`: a BullMQ worker that detects faces in each job's image. Detection runs on our
 * net workers and images are decoded on the image-loading worker, so the main thread only
 * moves jobs and messages and BullMQ's lock renewals are never held up (a blocked event loop
 * lets locks expire and jobs stall: immich PR #27742).
 *
 * @module
 */
import type { MtcnnError } from "../lib/errors.ts";
import { isTransient } from "../pipelines/edge/fetch_image.ts";
import { loadSource } from "../pipelines/edge/load_source.ts";
import {
  DEFAULT_QUEUE,
  type DetectOutcome,
  redisConnection,
  startQueueWorker,
} from "../pipelines/edge/redis_queue.ts";
import { createDetector, type DetectOptions, useBackend } from "../mod.ts";
import { startImageLoader } from "../stages.ts";
import { readWeights } from "../weights.ts";
import { rescaleFaces } from "../pipelines/faces.ts";
import { numberOption, parseArgs } from "./args.ts";
import {
  backendFrom,
  DETECT_FLAG_OPTIONS,
  DETECT_OPTIONS_HELP,
  DETECT_VALUE_OPTIONS,
  detectOptionsFrom,
  printError,
} from "./common.ts";
import { fetchOptionsFrom } from "./detect_sources.ts";

/** The help text of `queue work`. */
export const WORK_HELP = `Usage: deno task queue work --redis URL [options]

Takes detection jobs from the queue until SIGTERM or SIGINT, then finishes the active jobs and
exits. Waits for Redis when it is not up (and across restarts).

Options:
  --redis URL           redis://host:port (required)
  --queue NAME          queue name (default ${DEFAULT_QUEUE})
  --concurrency N       jobs in flight (default 2: one detected while the next is decoded)
  --workers N           net worker threads (default: the number of cores)
  --lock-ms MS          job lock; a killed worker's jobs run again after about this (30000)
  --fetch-timeout S     seconds for one URL download (default 30)
  --max-bytes N         largest URL download in bytes (default 67108864)
  --face-only           PNet and RNet only
${DETECT_OPTIONS_HELP}
  -h, --help            this help
`;

// A bad image is final; a backend failure or a failed download may pass on another try.
const retryable = (e: MtcnnError): boolean => isTransient(e) || e._tag === "BackendError";

/** Runs `queue work`; returns the exit code. */
export const runWork = async (args: string[]): Promise<number> => {
  const parsed = parseArgs(args, {
    values: [
      ...DETECT_VALUE_OPTIONS,
      "redis",
      "queue",
      "concurrency",
      "workers",
      "lock-ms",
      "fetch-timeout",
      "max-bytes",
    ],
    flags: ["help", "face-only", ...DETECT_FLAG_OPTIONS],
  });
  if (typeof parsed === "string") return printError(`${parsed} (see --help)`), 2;
  const o = parsed.options;
  if (o.help) return console.log(WORK_HELP), 0;
  if (parsed.positional.length > 0) return printError("queue work takes no images"), 2;
  if (typeof o.redis !== "string") return printError("--redis URL is needed (see --help)"), 2;
  const connection = redisConnection(o.redis, true);
  if (typeof connection === "string") return printError(connection), 2;
  const options = detectOptionsFrom(o);
  if (typeof options === "string") return printError(options), 2;
  const backend = backendFrom(o);
  if ("error" in backend) return printError(backend.error), 2;
  const fetch = fetchOptionsFrom(o);
  if (typeof fetch === "string") return printError(fetch), 2;
  const ints: Record<string, number> = {};
  for (
    const [k, min, dflt] of [["concurrency", 1, 2], ["workers", 1, 0], [
      "lock-ms",
      1000,
      30000,
    ]] as const
  ) {
    const v = numberOption(o, k);
    if (typeof v === "string" || (v !== undefined && !(Number.isInteger(v) && v >= min))) {
      return printError(`--${k} must be an integer >= ${min}`), 2;
    }
    ints[k] = v ?? dflt;
  }
  const b = await useBackend(backend.backend);
  if (b._tag === "Left") return printError(b.left), 1;
  const weights = await readWeights({});
  if (weights._tag === "Left") return printError(weights.left), 1;
  const detector = await createDetector({
    ...(options as DetectOptions),
    weights: weights.right,
    cascade: o["face-only"] ? "faceOnly" : "faceAndLandmarks",
    workers: ints.workers || Math.max(1, navigator.hardwareConcurrency || 1),
    backend: backend.backend,
  });
  if (detector._tag === "Left") return printError(detector.left), 1;
  const loader = startImageLoader();
  const loadOptions = { downscale: options.downscaleLargeImages };
  const fetchOptions = { ...fetch, maxPixels: options.maxPixels };
  const detect = async (image: string): Promise<DetectOutcome> => {
    const img = await loadSource(
      image,
      (input) => loader.load(input, options.maxPixels, loadOptions),
      fetchOptions,
    );
    const r = img._tag === "Left" ? img : await detector.right.detect(img.right.image);
    if (r._tag === "Left") {
      const e = r.left.message.startsWith(image)
        ? r.left
        : { ...r.left, message: `${image}: ${r.left.message}` };
      return { error: e, transient: retryable(e) };
    }
    const scaled = img._tag === "Right" ? img.right : undefined;
    const faces = scaled ? rescaleFaces(r.right.faces, scaled.scaleX, scaled.scaleY) : [];
    return { ok: { image, width: scaled?.width ?? 0, height: scaled?.height ?? 0, faces } };
  };
  let lastError = 0;
  const worker = startQueueWorker(
    connection,
    typeof o.queue === "string" ? o.queue : DEFAULT_QUEUE,
    detect,
    {
      concurrency: ints.concurrency,
      lockMs: ints["lock-ms"],
      // Redis away: say so every 5 s at most while ioredis reconnects.
      onError: (e) => {
        if (Date.now() - lastError < 5000) return;
        lastError = Date.now();
        console.error(`queue work: waiting for Redis at ${o.redis} (${e.message})`);
      },
    },
  );
  const stop = new Promise<string>((resolve) => {
    for (const sig of ["SIGTERM", "SIGINT"] as const) {
      Deno.addSignalListener(sig, () => resolve(sig));
    }
  });
  void worker.ready.then(() => console.error(`queue work: ready on ${o.redis}`));
  const sig = await stop;
  console.error(`queue work: ${sig}: finishing the active jobs`);
  try {
    await worker.close();
  } finally {
    detector.right.dispose();
    loader.terminate();
  }
  console.error("queue work: stopped");
  return 0;
};
