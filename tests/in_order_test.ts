import { assert, assertEquals } from "./_assert.ts";
import { mapInOrder } from "../lib/in_order.ts";
import { pixelBudget } from "../lib/pixel_budget.ts";

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("mapInOrder() yields in the inputs' order however the work finishes, never more than `limit` at once", async () => {
  let running = 0, most = 0;
  const out: number[] = [];
  const delays = [40, 5, 30, 1, 20, 2, 10];
  for await (
    const x of mapInOrder(delays, 3, async (ms, i) => {
      running++;
      most = Math.max(most, running);
      await wait(ms);
      running--;
      return i;
    })
  ) out.push(x);
  assertEquals(out, [0, 1, 2, 3, 4, 5, 6]);
  assertEquals(most, 3);
});

Deno.test("mapInOrder() pulls a stream only as room frees up, and closes it when the consumer stops", async () => {
  let pulled = 0;
  let closed = false;
  async function* endless() {
    try {
      for (let i = 0;; i++) {
        pulled++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  const got: number[] = [];
  for await (const x of mapInOrder(endless(), 2, (i) => Promise.resolve(i * 10), 1)) {
    got.push(x);
    if (got.length === 3) break;
  }
  assertEquals(got, [0, 10, 20]);
  assert(pulled <= 6, `pulled ${pulled}`);
  assert(closed, "the stream was closed");
});

Deno.test("mapInOrder() goes on with later items while a slow first one runs (up to `ahead` results wait)", async () => {
  const events: string[] = [];
  const delays = [80, 1, 1, 1, 1, 1, 1];
  const out: number[] = [];
  for await (
    const x of mapInOrder(delays, 2, async (ms, i) => {
      events.push(`start ${i}`);
      await wait(ms);
      events.push(`end ${i}`);
      return i;
    }, 4)
  ) out.push(x);
  assertEquals(out, [0, 1, 2, 3, 4, 5, 6]);
  // Items 1 to 5 (limit 2 running, 2 + 4 in the window) ran beside the slow item 0.
  const end0 = events.indexOf("end 0");
  for (const i of [1, 2, 3, 4, 5]) assert(events.indexOf(`end ${i}`) < end0, events.join(", "));
  assert(events.indexOf("start 6") > end0, events.join(", "));
});

Deno.test("mapInOrder() yields a result while the next item is still awaited (a list read line by line)", async () => {
  let release = () => {};
  const second = new Promise<void>((r) => (release = r));
  async function* lines() {
    yield 1;
    await second; // the next line comes only after the first answer was seen
    yield 2;
  }
  const out: number[] = [];
  for await (const x of mapInOrder(lines(), 4, (n) => Promise.resolve(n * 10))) {
    out.push(x);
    release();
  }
  assertEquals(out, [10, 20]);
});

Deno.test("pixelBudget() admits in arrival order, lets a lone large image in, and waits for room", async () => {
  const budget = pixelBudget(100);
  const order: string[] = [];
  await budget.enter(500); // alone: admitted though over the budget
  const a = budget.enter(60).then(() => order.push("a"));
  const b = budget.enter(30).then(() => order.push("b"));
  await wait(5);
  assertEquals(order, [], "nothing fits beside the large one");
  budget.leave(500);
  await Promise.all([a, b]);
  assertEquals(order, ["a", "b"]);
  const c = budget.enter(20).then(() => order.push("c"));
  await wait(5);
  assertEquals(order, ["a", "b"], "60 + 30 + 20 is over 100");
  budget.leave(60);
  await c;
  assertEquals(order, ["a", "b", "c"]);
});
