/// <reference lib="deno.worker" />
/**
 * Test worker: the real net worker, except that a worker named "crash-on-pnet" throws an
 * uncaught error (at top level, from a timer) instead of answering its first PNet call.
 */
import "../pipelines/parallel/worker.ts";

const real = self.onmessage!;
let crashed = false;
self.onmessage = (e: MessageEvent) => {
  if (self.name === "crash-on-pnet" && e.data?.kind === "pnet" && !crashed) {
    crashed = true;
    setTimeout(() => {
      throw new Error("simulated crash in a net worker");
    });
    return;
  }
  return real.call(self, e);
};
