/**
 * Many items in flight, results in the order given: how a directory is detected on several
 * workers while its output stays byte for byte that of one image after the other.
 *
 * @module
 */

/**
 * `work` on each item of `items`, up to `limit` running at a time, yielding the results in the
 * items' order. A finished item does not wait for the ones before it to free its place: up to
 * `ahead` results (default `4 * limit`) may wait, finished, for their turn, so that one slow
 * item does not idle the others. Items are pulled in the background, only as room frees up (a
 * stream is never read whole), and a result is yielded as soon as it is next in order, even while
 * the next item is still awaited (a list read from stdin line by line gets its answers line by
 * line). `work` should not reject: a rejection ends the generator with it.
 *
 * @example
 * ```ts
 * import { mapInOrder } from "./in_order.ts";
 * const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
 * const out = [];
 * for await (const x of mapInOrder([30, 10, 20], 2, async (ms) => (await wait(ms), ms))) {
 *   out.push(x);
 * }
 * console.log(out); // [30, 10, 20]
 * ```
 */
export async function* mapInOrder<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  ahead: number = 4 * limit,
): AsyncGenerator<R> {
  const it = Symbol.asyncIterator in items
    ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
    : (items as Iterable<T>)[Symbol.iterator]();
  const most = Math.max(1, limit);
  const room = most + Math.max(0, ahead);
  const queue: Promise<R>[] = [];
  let running = 0;
  let ended = false;
  let stopped = false;
  let pulling = false;
  let failure: { error: unknown } | undefined;
  // One waiter each: the consumer (for the queue to change) and the pump (for room).
  let wakeConsumer = () => {};
  let wakePump = () => {};
  const pump = (async () => {
    try {
      for (let index = 0; !stopped;) {
        if (running >= most || queue.length >= room) {
          await new Promise<void>((r) => (wakePump = r));
          continue;
        }
        pulling = true;
        const r = await it.next();
        pulling = false;
        if (r.done) return;
        if (stopped) break;
        running++;
        const p = work(r.value, index++);
        const done = () => {
          running--;
          wakePump();
          wakeConsumer();
        };
        p.then(done, done);
        queue.push(p);
        wakeConsumer();
      }
      await it.return?.(); // the consumer stopped early
    } catch (error) {
      failure = { error };
    } finally {
      ended = true;
      wakeConsumer();
    }
  })();
  try {
    while (true) {
      if (queue.length === 0) {
        if (ended) break;
        await new Promise<void>((r) => (wakeConsumer = r));
        continue;
      }
      const value = await queue[0];
      queue.shift();
      wakePump();
      yield value;
    }
    if (failure) throw failure.error;
  } finally {
    stopped = true;
    wakePump();
    await Promise.allSettled(queue);
    // The pump closes the stream; not waited for while it waits for an item (e.g. stdin).
    if (!pulling) await pump;
  }
}
