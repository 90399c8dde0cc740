import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { useBackend } from "../mod.ts";
import {
  areaResample,
  MAX_HEAP_TABLE_BYTES,
  receivedTable,
  type SummedAreaTable,
  summedAreaTable,
} from "../lib/area_resample.ts";
import { pyramidLevels } from "../lib/pyramid.ts";
import type { WasmBackendLike } from "../lib/kernels/instance.ts";
import { areaCutter, releaseAreaTable, setWasmAreaResample } from "../lib/kernels/wasm_area.ts";
import { resampledTensor } from "../pipelines/nets/heap_tensor.ts";
import { runBuildScript } from "./_build_tools.ts";

/** A seeded generator (LCG) of numbers in [0, 1). */
const random = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

const wasmBackend = async (): Promise<WasmBackendLike> => {
  const r = await useBackend("wasm");
  if (r._tag === "Left") throw new Error(r.left.message);
  return tf.backend() as unknown as WasmBackendLike;
};

const image = (w: number, h: number, rnd: () => number) => ({
  width: w,
  height: h,
  data: new Uint8Array(w * h * 3).map(() => Math.floor(rnd() * 256)),
});

/** Counts the backend's mallocs and frees while `f` runs (restored after). */
const counting = async <T>(
  backend: WasmBackendLike,
  f: () => T | Promise<T>,
): Promise<{ value: T; mallocs: number; frees: number }> => {
  const wasm = backend.wasm as { _malloc(n: number): number; _free(p: number): void };
  // Emscripten's first call of each replaces the function with the module's export: done first.
  wasm._free(wasm._malloc(4));
  const malloc = wasm._malloc, free = wasm._free;
  let mallocs = 0, frees = 0;
  wasm._malloc = (n: number) => (mallocs++, malloc.call(wasm, n));
  wasm._free = (p: number) => (frees++, free.call(wasm, p));
  try {
    const value = await f();
    return { value, mallocs, frees };
  } finally {
    wasm._malloc = malloc;
    wasm._free = free;
  }
};

type Rect = [number, number, number, number, number, number];

/** Rectangles of every kind: MTCNN's crops and levels, inside, across and beyond the edges. */
const rectsFor = (w: number, h: number, rnd: () => number): Rect[] => {
  const rects: Rect[] = [];
  const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  for (const l of pyramidLevels(w, h, 20, 0.709)) rects.push([0, 0, w, h, l.width, l.height]);
  rects.push([0, 0, w, h, w, h], [0, 0, w, h, 2 * w + 1, h + 3]); // same size, upscaled
  for (let t = 0; t < 60; t++) {
    const size = [12, 24, 48][t % 3];
    const side = int(1, Math.max(w, h));
    const kind = t % 4;
    // Inside, across an edge, wholly outside, anywhere.
    const x0 = kind === 0
      ? int(0, w - 1)
      : kind === 1
      ? int(-side, w)
      : kind === 2
      ? (t & 4 ? int(w, w + 40) : int(-side - 40, -side))
      : int(-2 * side, w + side);
    const y0 = kind === 0
      ? int(0, h - 1)
      : kind === 1
      ? int(-side, h)
      : kind === 2
      ? int(-side - 10, h + 10)
      : int(-2 * side, h + side);
    rects.push([x0, y0, side, int(1, 2 * side), size, size]);
  }
  rects.push([0, 0, 1, 1, 24, 24], [w - 1, h - 1, 1, 1, 48, 48], [3, 2, 1, 1, 1, 1]);
  rects.push([-1, -1, w + 2, h + 2, 12, 12], [0, 0, w, h, 1, 1], [5, 7, 30, 17, 13, 29]);
  return rects;
};

Deno.test("the wasm area kernel writes areaResample()'s bits: random images, levels, 12/24/48 crops, in and out of the image", async () => {
  const backend = await wasmBackend();
  const memory = (backend.wasm.asm?.memory ?? backend.wasm.wasmMemory) as WebAssembly.Memory;
  const rnd = random(11);
  const tallies = await counting(backend, () => {
    let cases = 0;
    for (const [w, h] of [[416, 416], [57, 43], [1, 1], [13, 200], [300, 12]]) {
      const img = image(w, h, rnd);
      const rects = rectsFor(w, h, rnd);
      // The sums copied into the heap, and a shared table as a worker receives it: its rows
      // built in the heap from the pixels (32 image rows at a time).
      for (
        const sat of [
          summedAreaTable(img),
          receivedTable(structuredClone(summedAreaTable(img, true))),
        ]
      ) {
        // Several cutters on one table: the rows copied grow from the bottom half, then the rest.
        for (const part of [rects.filter((r) => r[1] > h / 2), rects]) {
          const flat = part.flatMap((r) => r.slice(0, 4));
          const maxOut = Math.max(...part.map((r) => r[4]));
          const biggest = Math.max(...part.map((r) => r[4] * r[5] * 3));
          const out = backend.wasm._malloc(4 * biggest + 8);
          try {
            const cut = areaCutter(backend, sat, flat, part.length, maxOut);
            assert(cut, `no cutter for a ${w}x${h} table`);
            for (const [x0, y0, cw, ch, ow, oh] of part) {
              const n = ow * oh * 3;
              // A float after the output: the kernel must not write it.
              new Float32Array(memory.buffer, out + 4 * n, 1)[0] = 7;
              assert(cut(x0, y0, cw, ch, ow, oh, out), `not taken: ${[x0, y0, cw, ch, ow, oh]}`);
              const got = new Uint32Array(memory.buffer, out, n + 1).slice();
              const want = new Float32Array(n + 1);
              want[n] = 7;
              areaResample(sat, x0, y0, cw, ch, ow, oh, want);
              const bits = new Uint32Array(want.buffer);
              const bad = got.findIndex((v, i) => v !== bits[i]);
              assert(bad < 0, `${w}x${h} rect ${[x0, y0, cw, ch]} to ${ow}x${oh}: value ${bad}`);
              cases++;
            }
          } finally {
            backend.wasm._free(out);
          }
        }
      }
    }
    releaseAreaTable(backend);
    return cases;
  });
  assert(tallies.value > 600, `${tallies.value} cases`);
  // Our output buffers, the table copy (grown for the 416x416 one only) and the column scratch.
  assertEquals(tallies.mallocs, tallies.frees, "every allocation freed");
});

Deno.test("the wasm area kernel's table copies: two allocations reused from table to table, freed on release", async () => {
  const backend = await wasmBackend();
  releaseAreaTable(backend);
  const rnd = random(5);
  const sats = [0, 1, 2].map(() => summedAreaTable(image(64, 48, rnd)));
  const before = tf.memory().numTensors;
  const { mallocs, frees } = await counting(backend, () => {
    for (let round = 0; round < 3; round++) {
      for (const sat of sats) {
        const t = resampledTensor(sat, [-3, 5, 20, 20, 10, 30, 30, 30], 2, 24, 24);
        t.dispose();
      }
    }
  });
  // Two copies (two tables in the heap at once) and the scratch, plus the tensors' own; the
  // tensors freed again.
  assertEquals(mallocs - frees, 3);
  const released = await counting(backend, () => releaseAreaTable(backend));
  assertEquals(released.frees, 3);
  assertEquals(tf.memory().numTensors, before);
  // A cutter takes only the rows it was made for, and nothing once its copy is replaced: the
  // third table replaces the least recently used of the two.
  const out = backend.wasm._malloc(24 * 24 * 12);
  try {
    const top = areaCutter(backend, sats[0], [0, 0, 20, 10], 1, 24)!;
    assert(top(0, 0, 20, 10, 24, 24, out), "rows 0-10 are copied");
    assert(!top(0, 30, 20, 10, 24, 24, out), "rows 30-40 are not");
    const second = areaCutter(backend, sats[1], [0, 30, 20, 10], 1, 24)!;
    assert(top(0, 0, 20, 10, 24, 24, out), "two tables are kept");
    assert(second(0, 30, 20, 10, 24, 24, out));
    const third = areaCutter(backend, sats[2], [0, 30, 20, 10], 1, 24)!;
    assert(!top(0, 0, 20, 10, 24, 24, out), "the least recently used copy holds another table now");
    assert(second(0, 30, 20, 10, 24, 24, out) && third(0, 30, 20, 10, 24, 24, out));
    // A large table (over 8 MB of sums) is kept alone.
    const large = summedAreaTable(image(1300, 600, rnd));
    const big = areaCutter(backend, large, [0, 0, 20, 10], 1, 24)!;
    assert(big(0, 0, 20, 10, 24, 24, out));
    assert(!second(0, 30, 20, 10, 24, 24, out) && !third(0, 30, 20, 10, 24, 24, out), "alone");
    releaseAreaTable(backend);
    assert(!big(0, 0, 20, 10, 24, 24, out), "released");
  } finally {
    backend.wasm._free(out);
  }
});

Deno.test("resampledTensor() gives the same bits with and without the kernel, on wasm and cpu, for Uint32, Float64 and shared tables; no tensor leaks", async () => {
  const rnd = random(8);
  const img = image(90, 70, rnd);
  const u32 = summedAreaTable(img);
  // The same sums in 64-bit floats (what images over 16.8 megapixels get): cut in JS.
  const f64: SummedAreaTable = { ...u32, sums: Float64Array.from(u32.sums) };
  const rects = rectsFor(90, 70, rnd).filter((r) => r[4] === 24);
  const flat = rects.flatMap((r) => r.slice(0, 4));
  const want = new Float32Array(rects.length * 24 * 24 * 3);
  rects.forEach((r, k) => areaResample(u32, r[0], r[1], r[2], r[3], 24, 24, want, k * 24 * 24 * 3));
  const wantBits = new Uint32Array(want.buffer);
  const backend = await wasmBackend();
  assert(areaCutter(backend, f64, flat, rects.length, 24) === null, "Float64 tables go to JS");
  // Tables in shared memory (a detector with net workers) are known by their id: each message
  // brings a clone of the table object, and the copy in the heap is made once per table. A
  // shared table without an id goes to JS.
  const shared = summedAreaTable(img, true);
  assert(shared.id !== undefined && summedAreaTable(img, true).id !== shared.id, "ids differ");
  assertEquals(summedAreaTable(img).id, undefined);
  const sharedSums = new Uint32Array(new SharedArrayBuffer(u32.sums.byteLength));
  sharedSums.set(u32.sums);
  const anonymous: SummedAreaTable = { width: 90, height: 70, sums: sharedSums };
  assert(areaCutter(backend, anonymous, flat, rects.length, 24) === null, "no id: JS");
  const out = backend.wasm._malloc(24 * 24 * 12);
  try {
    const first = areaCutter(backend, shared, flat.slice(0, 4), 1, 24)!;
    assert(first(flat[0], flat[1], flat[2], flat[3], 24, 24, out));
    // A clone (as a message brings) reuses the copy: the first cutter still holds.
    const again = areaCutter(
      backend,
      receivedTable(structuredClone(shared)),
      flat.slice(0, 4),
      1,
      24,
    )!;
    assert(again(flat[0], flat[1], flat[2], flat[3], 24, 24, out));
    assert(first(flat[0], flat[1], flat[2], flat[3], 24, 24, out), "same table, same copy");
    const memory = (backend.wasm.asm?.memory ?? backend.wasm.wasmMemory)!;
    const got = new Uint32Array(memory.buffer, out, 24 * 24 * 3);
    assert(got.every((v, i) => v === wantBits[i]), "a clone of a shared table: values differ");
  } finally {
    backend.wasm._free(out);
  }
  for (const name of ["wasm", "cpu"] as const) {
    const r = await useBackend(name);
    if (r._tag === "Left") throw new Error(r.left.message);
    const before = tf.memory().numTensors;
    for (const on of [true, false]) {
      setWasmAreaResample(on);
      for (const sat of [u32, f64, shared, receivedTable(structuredClone(shared)), anonymous]) {
        const t = resampledTensor(sat, flat, rects.length, 24, 24);
        assertEquals(t.shape, [rects.length, 24, 24, 3]);
        const got = new Uint32Array((t.dataSync() as Float32Array).buffer);
        t.dispose();
        assert(got.every((v, i) => v === wantBits[i]), `${name}, kernel ${on}: values differ`);
      }
    }
    setWasmAreaResample(true);
    // A rectangle the kernel does not take (not whole pixels) goes to JS within a batch.
    const t = resampledTensor(u32, [0, 0, 40, 40, 0.5, 0, 40, 40], 2, 12, 12);
    const v = t.dataSync() as Float32Array;
    t.dispose();
    const first = new Float32Array(12 * 12 * 3);
    areaResample(u32, 0, 0, 40, 40, 12, 12, first);
    assert(first.every((x, i) => Object.is(x, v[i])), `${name}: first crop`);
    assertEquals(tf.memory().numTensors, before);
  }
  await useBackend("wasm");
});

Deno.test("a shared table is built where it is read: its pixels go in a message, not its sums, and every thread reads the same sums", () => {
  const rnd = random(21);
  const img = image(75, 41, rnd);
  const want = summedAreaTable(img).sums;
  const shared = summedAreaTable(img, true);
  assert(shared.pixels?.buffer instanceof SharedArrayBuffer, "pixels in shared memory");
  assertEquals([...shared.pixels!], [...img.data]);
  assert(!Object.keys(shared).includes("sums"), "sums is not an own enumerable property");
  assertEquals([...shared.sums], [...want], "read here: the same sums");
  const sent: SummedAreaTable = structuredClone(shared);
  assert(sent.pixels!.buffer instanceof SharedArrayBuffer, "it shares the pixels");
  assert(!Object.hasOwn(sent, "sums"), "a message does not carry the sums");
  const received = receivedTable(sent);
  assertEquals(received.id, shared.id);
  assertEquals([...received.sums], [...want], "read there: the same sums");
  assert(receivedTable(shared) === shared && receivedTable(received) === received, "kept");
  const plain = summedAreaTable(img);
  assert(receivedTable(plain) === plain && plain.pixels === undefined, "plain tables as before");
  // Beyond what a thread builds in its heap, a shared table is built once, in shared memory.
  const side = Math.ceil(Math.sqrt(MAX_HEAP_TABLE_BYTES / 12)) + 1;
  const large = summedAreaTable({
    width: side,
    height: side,
    data: new Uint8Array(side * side * 3),
  }, true);
  assertEquals(large.pixels, undefined);
  assert(large.sums.buffer instanceof SharedArrayBuffer && large.id !== undefined);
});

Deno.test("lib/kernels/area_wasm_data.ts is what scripts/build_kernels.ts builds", async () => {
  const text = await runBuildScript("build_kernels.ts", "--stdout-area");
  const embedded = await Deno.readTextFile(
    new URL("../lib/kernels/area_wasm_data.ts", import.meta.url),
  );
  assert(text === embedded, "lib/kernels/area_wasm_data.ts is stale: run scripts/build_kernels.ts");
});
