/**
 * Where the worker scripts are: one place for the pool, the image loader and the command line,
 * which starts them before its own modules load (cli/early.ts).
 *
 * @module
 */

/** The net worker's module (pipelines/parallel/worker.ts). */
export const NET_WORKER_URL: URL = new URL("./worker.ts", import.meta.url);

/** The image loader's module (pipelines/parallel/loader_worker.ts). */
export const LOADER_WORKER_URL: URL = new URL("./loader_worker.ts", import.meta.url);

/** A new module worker running `url`; it loads its modules at once and waits for messages. */
export const spawnModuleWorker = (url: URL): Worker => new Worker(url, { type: "module" });
