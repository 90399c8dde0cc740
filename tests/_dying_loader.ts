/// <reference lib="deno.worker" />
/**
 * Test worker: the real image-loading worker, except that it throws an uncaught error (at top
 * level, from a timer) instead of answering a load of the path "crash".
 */
import "../pipelines/parallel/loader_worker.ts";

const real = self.onmessage as unknown as (e: MessageEvent) => unknown;
self.onmessage = (e: MessageEvent) => {
  if (e.data?.input === "crash") {
    setTimeout(() => {
      throw new Error("simulated crash in the image loader");
    });
    return;
  }
  return real(e);
};
