/**
 * Many items in flight, results in the order given: how a directory is detected on several
 * workers while its output stays byte for byte that of one image after the other.
 *
 * @module
 */

/**
 * `work` on each item of `items`, up to `limit` at a time, yielding the results in the items'
 * order. Items are pulled only as room frees up (a stream is never read whole). `work` should
 * not reject: a rejection ends the generator with it (after the items in flight settle).
 *
 * @example
 * ```ts
 * import { mapInOrder } from "./in_order.ts";
 * const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
 * const out = [];
 * for await (const x of mapInOrder([30, 10, 20], 3, async (ms) => (await wait(ms), ms))) {
 *   out.push(x);
 * }
 * console.log(out); // [30, 10, 20]
 * ```
 */
export async function* mapInOrder<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): AsyncGenerator<R> {
  const it = Symbol.asyncIterator in items
    ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
    : (items as Iterable<T>)[Symbol.iterator]();
  const queue: Promise<R>[] = [];
  let index = 0;
  let ended = false;
  const fill = async () => {
    while (!ended && queue.length < Math.max(1, limit)) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        return;
      }
      const p = work(r.value, index++);
      // Settled later, in order; a rejection is never left unhandled meanwhile.
      p.catch(() => {});
      queue.push(p);
    }
  };
  try {
    await fill();
    while (queue.length > 0) {
      const head = queue.shift() as Promise<R>;
      const value = await head;
      await fill();
      yield value;
    }
  } finally {
    if (!ended) await it.return?.();
    await Promise.allSettled(queue);
  }
}
