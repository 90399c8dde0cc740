/**
 * Loading images on a worker thread: {@linkcode loadScaledImage} (read, header checks, decode,
 * EXIF orientation, optional downscale) without blocking the thread that drives detection.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError, type MtcnnErrorTag } from "../../lib/errors.ts";
import type { Result } from "../../lib/result.ts";
import type { LoadedImage, LoadOptions } from "../edge/load_image.ts";
import { LOADER_WORKER_URL } from "./worker_urls.ts";

/** An image loader on a worker thread. */
export interface ImageLoader {
  /** Loads a file path or encoded bytes (copied to the worker). */
  load(
    input: string | Uint8Array,
    maxPixels?: number,
    options?: LoadOptions,
  ): Promise<Result<MtcnnError, LoadedImage>>;
  /** Ends the worker; pending loads fail with a BackendError. */
  terminate(): void;
}

/** A message to the loader worker (pipelines/parallel/loader_worker.ts). */
export interface ToLoader {
  /** Matches the reply to the request. */
  readonly id: number;
  /** A path or encoded bytes. */
  readonly input: string | Uint8Array;
  /** As for loadScaledImage. */
  readonly maxPixels: number;
  /** As for loadScaledImage. */
  readonly options: LoadOptions;
}

type Reply =
  | { readonly id: number; readonly loaded: LoadedImage }
  | { readonly id: number; readonly error: { tag: MtcnnErrorTag; message: string } };

/**
 * Starts an image-loading worker. Loads run one after another, in the order asked.
 *
 * @example
 * ```ts
 * import { startImageLoader } from "@mtcnn/mtcnn/stages";
 * const loader = startImageLoader();
 * const r = await loader.load(new Uint8Array(0));
 * console.log(r._tag); // "Left": an empty file is not an image
 * loader.terminate();
 * ```
 */
export const startImageLoader = (): ImageLoader => startImageLoaderAt(LOADER_WORKER_URL);

/**
 * {@linkcode startImageLoader} with the worker script at `url` (tests give one that crashes). A
 * worker that dies fails the loads in flight with a BackendError; the next load starts a new one.
 * After `terminate`, loads fail at once. `started`, a worker already running `url` (the command
 * line starts one before its modules load), is used for the first loads.
 */
export const startImageLoaderAt = (url: URL, started?: Worker): ImageLoader => {
  const pending = new Map<number, (r: E.Either<MtcnnError, LoadedImage>) => void>();
  let nextId = 1;
  let worker: Worker | undefined;
  let ended = false;
  const failAll = (why: string) => {
    for (const done of pending.values()) done(E.left(mtcnnError("BackendError", why)));
    pending.clear();
  };
  let first = started;
  const spawn = (): Worker => {
    const w = first ?? new Worker(url, { type: "module" });
    first = undefined;
    w.onmessage = (e: MessageEvent<Reply>) => {
      const m = e.data;
      const done = pending.get(m.id);
      if (!done) return;
      pending.delete(m.id);
      done("loaded" in m ? E.right(m.loaded) : E.left(mtcnnError(m.error.tag, m.error.message)));
    };
    w.onerror = (e) => {
      e.preventDefault();
      w.terminate();
      if (worker === w) worker = undefined;
      failAll(`the image loader failed: ${e.message}`);
    };
    return w;
  };
  return {
    load: (input, maxPixels = 100_000_000, options = {}) =>
      new Promise((resolve) => {
        if (ended) {
          return resolve(E.left(mtcnnError("BackendError", "the image loader was terminated")));
        }
        const id = nextId++;
        pending.set(id, resolve);
        const msg: ToLoader = { id, input, maxPixels, options };
        try {
          worker ??= spawn();
          worker.postMessage(msg);
        } catch (err) {
          pending.delete(id);
          resolve(E.left(mtcnnError("InputError", `cannot send the image: ${describe(err)}`)));
        }
      }),
    terminate: () => {
      ended = true;
      first?.terminate();
      first = undefined;
      worker?.terminate();
      worker = undefined;
      failAll("the image loader was terminated");
    },
  };
};
