/**
 * An image-loading worker: reads and decodes files (or bytes) off the main thread, so that a
 * directory's next image is decoded while the net workers detect faces in this one.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { describe } from "../../lib/errors.ts";
import { type LoadOptions, loadScaledEncoded } from "../edge/load_encoded.ts";

/** To the loader worker. */
export interface ToLoader {
  readonly id: number;
  readonly input: string | Uint8Array;
  readonly maxPixels: number;
  readonly options: LoadOptions;
}

/**
 * Loads run one at a time, in the order asked: interleaved at their awaits (file reads), the
 * first image of a run waited for the next ones' reads and decodes, while the net workers waited
 * for it.
 */
let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<ToLoader>) => {
  // A load that throws (it catches its own errors: only a failed reply could) is reported as an
  // uncaught error, as before, and the loads after it go on.
  queue = queue.then(() => load(e.data)).catch((err) => reportError(err));
};

const load = async ({ id, input, maxPixels, options }: ToLoader): Promise<void> => {
  try {
    const r = await loadScaledEncoded(input, maxPixels, options);
    if (r._tag === "Left") {
      self.postMessage({ id, error: { tag: r.left._tag, message: r.left.message } });
    } else {
      self.postMessage({ id, loaded: r.right }, [r.right.image.data.buffer as ArrayBuffer]);
    }
  } catch (err) {
    self.postMessage({ id, error: { tag: "DecodeError", message: describe(err) } });
  }
};
