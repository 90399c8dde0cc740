import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { useBackend } from "../mod.ts";
import { setWasmMaxPool } from "../lib/kernels/wasm_pool.ts";
import { runBuildScript } from "./_build_tools.ts";

const wasm = async () => {
  const r = await useBackend("wasm");
  if (r._tag === "Left") throw new Error(r.left.message);
};

/** f's result with our max pool, then with tfjs-wasm's; both read back and disposed. */
const both = (f: () => tf.Tensor): [tf.TypedArray, tf.TypedArray, number[], number[]] => {
  try {
    setWasmMaxPool(true);
    const a = tf.tidy(f);
    setWasmMaxPool(false);
    const b = tf.tidy(f);
    const r: [tf.TypedArray, tf.TypedArray, number[], number[]] = [
      a.dataSync(),
      b.dataSync(),
      a.shape,
      b.shape,
    ];
    a.dispose();
    b.dispose();
    return r;
  } finally {
    setWasmMaxPool(true);
  }
};

/** Whether two float arrays hold the same bits (a maximum is exact: no tolerance). */
const sameBits = (a: tf.TypedArray, b: tf.TypedArray): boolean => {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
};

Deno.test("our wasm max pool equals tfjs-wasm's bit for bit on MTCNN's pools and 200 random shapes", async () => {
  await wasm();
  const before = tf.memory().numTensors;
  // MTCNN's pools (docs/networks.md): PNet 2/2 same, RNet and ONet 3/2 same then 3/2 valid,
  // ONet 2/2 same; then random maps, windows 1-4, strides 1-3, both paddings, 1-70 channels.
  const cases: [number[], number, number, "same" | "valid"][] = [
    [[1, 206, 206, 10], 2, 2, "same"],
    [[3, 22, 22, 28], 3, 2, "same"],
    [[3, 9, 9, 48], 3, 2, "valid"],
    [[2, 46, 46, 32], 3, 2, "same"],
    [[2, 21, 21, 64], 3, 2, "valid"],
    [[2, 8, 8, 64], 2, 2, "same"],
  ];
  for (let i = 0; i < 200; i++) {
    const k = 1 + (i % 4), s = 1 + ((i >> 2) % 3);
    const shape = [1 + (i % 3), k + ((i * 7) % 13), k + ((i * 5) % 11), 1 + ((i * 11) % 70)];
    cases.push([shape, k, s, i % 2 ? "same" : "valid"]);
  }
  for (const [[n, h, w, c], k, s, pad] of cases) {
    const seed = n * 1000 + h * 100 + w * 10 + c;
    const [a, b, sa, sb] = both(() =>
      tf.maxPool(tf.randomNormal([n, h, w, c], 0, 1, "float32", seed) as tf.Tensor4D, k, s, pad)
    );
    assertEquals(sa, sb);
    assert(sameBits(a, b), `max pool ${n}x${h}x${w}x${c}, ${k}/${s} ${pad}: values differ`);
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("our wasm max pool hands other cases to tfjs-wasm's (non-square windows, unequal strides)", async () => {
  await wasm();
  const before = tf.memory().numTensors;
  const [c, d, sc, sd] = both(() =>
    tf.maxPool(
      tf.randomNormal([2, 9, 7, 5], 0, 1, "float32", 3) as tf.Tensor4D,
      [3, 2],
      [2, 1],
      "valid",
    )
  );
  assertEquals(sc, sd);
  assert(sameBits(c, d));
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("lib/kernels/pool_wasm_data.ts is what scripts/build_kernels.ts builds", async () => {
  const text = await runBuildScript("build_kernels.ts", "--stdout-pool");
  const embedded = await Deno.readTextFile(
    new URL("../lib/kernels/pool_wasm_data.ts", import.meta.url),
  );
  assert(text === embedded, "lib/kernels/pool_wasm_data.ts is stale: run scripts/build_kernels.ts");
});
