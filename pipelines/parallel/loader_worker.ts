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

self.onmessage = async (e: MessageEvent<ToLoader>) => {
  const { id, input, maxPixels, options } = e.data;
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
