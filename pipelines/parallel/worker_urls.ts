/**
 * Where the worker scripts are, and how many net workers a detector takes: one place for the
 * pool, the detector, the image loader and the command line, which starts them before its own
 * modules load (cli/early.ts, which must not load the rest of the library).
 *
 * @module
 */

/** The most net workers a detector starts. */
export const MAX_WORKERS = 64;

/** Whether `n` is a net worker count a detector takes: an integer from 0 to {@linkcode MAX_WORKERS}. */
export const isWorkerCount = (n: number): boolean =>
  Number.isInteger(n) && n >= 0 && n <= MAX_WORKERS;

/** The net worker's module (pipelines/parallel/worker.ts). */
export const NET_WORKER_URL: URL = new URL("./worker.ts", import.meta.url);

/** The image loader's module (pipelines/parallel/loader_worker.ts). */
export const LOADER_WORKER_URL: URL = new URL("./loader_worker.ts", import.meta.url);

/** A new module worker running `url`; it loads its modules at once and waits for messages. */
export const spawnModuleWorker = (url: URL): Worker => new Worker(url, { type: "module" });
