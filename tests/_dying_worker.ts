/// <reference lib="deno.worker" />
/**
 * Test worker: the real net worker, except that a worker named "crash-on-pnet" throws an
 * uncaught error (at top level, from a timer) instead of answering its first PNet call.
 */
import "../pipelines/parallel/worker.ts";

// worker.ts's handler is an arrow function: it needs no `this`.
const real = self.onmessage as unknown as (e: MessageEvent) => unknown;
let crashed = false;
self.onmessage = (e: MessageEvent) => {
  if (self.name === "crash-on-pnet" && e.data?.kind === "pnet" && !crashed) {
    crashed = true;
    setTimeout(() => {
      throw new Error("simulated crash in a net worker");
    });
    return;
  }
  return real(e);
};
