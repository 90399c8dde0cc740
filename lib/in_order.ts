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
 * item does not idle the others. Items are pulled only as room frees up (a stream is never read
 * whole). `work` should not reject: a rejection ends the generator with it.
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
  const queue: Promise<R>[] = [];
  let running = 0;
  let index = 0;
  let ended = false;
  let pulling: Promise<void> | undefined;
  /** Wakes the consumer when an item finishes (there may be room for another). */
  let wake: () => void = () => {};
  const pullOne = async () => {
    const r = await it.next();
    if (r.done) {
      ended = true;
      return;
    }
    running++;
    const p = work(r.value, index++);
    const done = () => {
      running--;
      wake();
    };
    p.then(done, done);
    queue.push(p);
  };
  /** Starts items while fewer than `limit` run and fewer than `limit + ahead` wait. */
  const fill = async () => {
    while (!ended && running < most && queue.length < most + Math.max(0, ahead)) {
      await (pulling ??= pullOne().finally(() => (pulling = undefined)));
    }
  };
  try {
    await fill();
    while (queue.length > 0) {
      const head = queue[0];
      // Keeps starting items as others finish until the head is done.
      let headDone = false;
      head.then(() => (headDone = true), () => (headDone = true));
      while (!headDone) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          head.then(() => resolve(), () => resolve());
        });
        await fill();
      }
      queue.shift();
      const value = await head;
      await fill();
      yield value;
    }
  } finally {
    if (!ended) await it.return?.();
    await Promise.allSettled(queue);
  }
}
