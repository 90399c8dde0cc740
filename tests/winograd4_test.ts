import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { useBackend } from "../mod.ts";
import { setWasmConvKernels, wasmConvKernels } from "../lib/kernels/wasm_conv.ts";
import { winogradTile } from "../lib/kernels/run_conv.ts";
import { defaultNetTensors } from "./_conv_layers.ts";

const wasm = async () => {
  const r = await useBackend("wasm");
  if (r._tag === "Left") throw new Error(r.left.message);
  assert(wasmConvKernels() !== undefined, "our kernels should be installed on wasm");
};

type Mode = "tfjs" | "f2" | "f3" | "f4" | "auto";
const modes = (m: Mode) =>
  m === "tfjs" ? setWasmConvKernels(false) : setWasmConvKernels(true, {
    tile: m === "auto" ? "auto" : m === "f4" ? 4 : m === "f3" ? 3 : 2,
  });

interface Case {
  readonly x: tf.Tensor4D;
  readonly filter: tf.Tensor4D;
  readonly bias?: tf.Tensor1D;
  readonly alpha?: tf.Tensor1D;
  readonly activation: "linear" | "relu" | "prelu";
}

const conv = (c: Case, x = c.x, filter = c.filter, bias = c.bias) =>
  tf.fused.conv2d({
    x,
    filter,
    strides: 1,
    pad: "valid",
    bias,
    activation: c.activation,
    preluActivationWeights: c.activation === "prelu" ? c.alpha : undefined,
  });

/** The case's output under a mode (our kernels on again afterwards). */
const run = (m: Mode, c: Case): Float32Array => {
  try {
    modes(m);
    const y = conv(c);
    const r = y.dataSync() as Float32Array;
    y.dispose();
    return r;
  } finally {
    setWasmConvKernels(true);
  }
};

/**
 * The largest |ours - tfjs| over eps * (sum of |x| |w| + |bias|), output by output: the forward
 * error of a sum of products in float32 is bounded by a multiple of that (about the number of
 * terms for plain summation, times the transforms' growth for Winograd). tfjs-wasm's own kernel
 * (ours off) is the reference; the magnitudes come from it too, on |x| and |w|.
 */
const relativeError = (c: Case, ours: Float32Array, ref: Float32Array): number => {
  modes("tfjs");
  try {
    const mag = tf.tidy(() => {
      const m = tf.conv2d(tf.abs(c.x), tf.abs(c.filter), 1, "valid");
      return c.bias ? tf.add(m, tf.abs(c.bias)) : m;
    });
    const s = mag.dataSync() as Float32Array;
    mag.dispose();
    let worst = 0;
    for (let i = 0; i < ours.length; i++) {
      worst = Math.max(worst, Math.abs(ours[i] - ref[i]) / (2 ** -23 * s[i] + 1e-30));
    }
    return worst;
  } finally {
    setWasmConvKernels(true);
  }
};

const randomCase = (
  seed: number,
  [n, h, w, ci]: number[],
  co: number,
  activation: Case["activation"],
  withBias = true,
): Case => ({
  x: tf.randomNormal([n, h, w, ci], 0, 1, "float32", seed) as tf.Tensor4D,
  filter: tf.randomNormal(
    [3, 3, ci, co],
    0,
    1 / Math.sqrt(9 * ci),
    "float32",
    seed + 1,
  ) as tf.Tensor4D,
  bias: withBias ? tf.randomNormal([co], 0, 1, "float32", seed + 2) as tf.Tensor1D : undefined,
  alpha: tf.randomUniform([co], 0, 0.5, "float32", seed + 3) as tf.Tensor1D,
  activation,
});

const disposeCase = (c: Case) => tf.dispose([c.x, c.filter, c.bias ?? [], c.alpha ?? []]);

/**
 * Tolerance in units of eps * sum |x| |w| (see relativeError). Measured on these cases: F(2x2)
 * (whose reference, tfjs-wasm's own kernel, has its own rounding) reaches about 3, F(3x3) 14 and
 * F(4x4) 10.5 (larger transforms: entries up to 8 and 5/2, the filter's thirds, sixths and
 * fifteenths; F(4x4) with the points 0, ±1, ±2 reached 15-20). 32 leaves room for other seeds
 * and inputs and still catches a wrong coefficient or tap (errors of the order of the output
 * itself: 2^23 and more in these units).
 */
const TOLERANCE = 32;

Deno.test("Winograd F(3x3, 3x3) and F(4x4, 3x3) equal tfjs-wasm's convolution on MTCNN's 3x3 layers (real weights)", async () => {
  await wasm();
  const before = tf.memory().numTensors;
  const nets = await defaultNetTensors();
  // [net, conv, prelu, input]: the layers with 8 or more input channels (the Winograd ones).
  const layers: [string, string, string, [number, number, number, number]][] = [
    ["pnet", "conv2", "prelu2", [1, 27, 34, 10]],
    ["pnet", "conv3", "prelu3", [2, 25, 32, 16]],
    ["rnet", "conv2", "prelu2", [3, 11, 11, 28]],
    ["onet", "conv2", "prelu2", [2, 23, 23, 32]],
    ["onet", "conv3", "prelu3", [2, 10, 10, 64]],
  ];
  const worst = { f2: 0, f3: 0, f4: 0 };
  for (const [i, [net, layer, prelu, shape]] of layers.entries()) {
    const t = nets[net];
    const c: Case = {
      x: tf.randomNormal(shape, 0, 1, "float32", 70 + i) as tf.Tensor4D,
      filter: t[`${layer}/kernel`] as tf.Tensor4D,
      bias: t[`${layer}/bias`] as tf.Tensor1D,
      alpha: t[`${prelu}/alpha`] as tf.Tensor1D,
      activation: "prelu",
    };
    const ref = run("tfjs", c), f2 = run("f2", c);
    worst.f2 = Math.max(worst.f2, relativeError(c, f2, ref));
    for (const m of ["f3", "f4"] as const) {
      const y = run(m, c);
      assertEquals(y.length, ref.length);
      const e = relativeError(c, y, ref);
      worst[m] = Math.max(worst[m], e);
      assert(e < TOLERANCE, `${m} ${net} ${layer} ${shape}: error ${e.toFixed(1)} eps * sum|x||w|`);
      // The larger tile really ran: its sums differ from F(2x2)'s in the last bits.
      assert(y.some((v, j) => v !== f2[j]), `${net} ${layer}: ${m} gave F(2x2)'s bits`);
    }
    c.x.dispose();
  }
  for (const n of Object.values(nets)) tf.dispose(Object.values(n));
  console.log(
    `worst error (eps * sum|x||w|): F(2x2) ${worst.f2.toFixed(2)}, F(3x3) ${
      worst.f3.toFixed(2)
    }, F(4x4) ${worst.f4.toFixed(2)}`,
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("Winograd F(3x3, 3x3) and F(4x4, 3x3) on odd shapes: sizes off multiples of the tile, 1x1 maps, batches, channel tails, bias and activations", async () => {
  await wasm();
  const before = tf.memory().numTensors;
  const acts = ["linear", "relu", "prelu"] as const;
  // [n, h, w, ci], co: 3x3 inputs give 1x1 outputs; 4 x 4 + 2 one whole tile; channel counts
  // off multiples of 4 take the partial loads and stores.
  const shapes: [number[], number][] = [
    [[1, 3, 3, 8], 4],
    [[3, 3, 3, 13], 7],
    [[1, 3, 9, 9], 5],
    [[2, 9, 3, 8], 6],
    [[1, 6, 6, 8], 8],
    [[2, 7, 11, 11], 9],
    [[1, 13, 10, 17], 3],
    [[4, 14, 15, 12], 13],
    [[3, 19, 5, 10], 16],
    [[1, 30, 41, 21], 33],
    [[5, 11, 11, 28], 48],
    [[1, 4, 4, 64], 1],
  ];
  const worst = { f3: 0, f4: 0 };
  for (const [i, [shape, co]] of shapes.entries()) {
    const c = randomCase(100 + 10 * i, shape, co, acts[i % 3], i % 4 !== 1);
    const ref = run("tfjs", c);
    for (const m of ["f3", "f4"] as const) {
      const y = run(m, c);
      assertEquals(y.length, ref.length);
      const e = relativeError(c, y, ref);
      worst[m] = Math.max(worst[m], e);
      assert(e < TOLERANCE, `${m} ${shape} -> ${co} (${c.activation}): error ${e.toFixed(1)}`);
    }
    disposeCase(c);
  }
  console.log(
    `worst error (eps * sum|x||w|): F(3x3) ${worst.f3.toFixed(2)}, F(4x4) ${worst.f4.toFixed(2)}`,
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("the Winograd tile follows the output size: F(3x3) where 3x3 tiles fit, F(4x4) on larger maps", async () => {
  // MTCNN's detection sizes: RNet's conv2 9 x 9 outputs take 3x3 tiles, ONet's conv2 21 x 21 and
  // conv3 8 x 8 and PNet's large levels 4x4; small maps and sizes that neither larger tile covers
  // with 0.7 of F(2x2)'s products stay on F(2x2).
  assertEquals([winogradTile(9, 9), winogradTile(6, 6), winogradTile(9, 33)], [3, 3, 3]);
  assertEquals([winogradTile(8, 8), winogradTile(21, 21), winogradTile(319, 572)], [4, 4, 4]);
  assertEquals([winogradTile(1, 1), winogradTile(3, 3), winogradTile(7, 7)], [2, 2, 2]);
  assertEquals([winogradTile(10, 10), winogradTile(14, 14), winogradTile(4, 64)], [2, 2, 2]);
  // The choice is what runs: "auto" gives F(4x4)'s bits on 8 x 8, F(3x3)'s on 9 x 9, F(2x2)'s
  // on 10 x 10.
  await wasm();
  const before = tf.memory().numTensors;
  const cases = [[[2, 10, 10, 16], "f4"], [[2, 11, 11, 16], "f3"], [
    [1, 12, 12, 16],
    "f2",
  ]] as const;
  for (const [shape, m] of cases) {
    const c = randomCase(300, [...shape], 12, "prelu");
    const auto = run("auto", c), f2 = run("f2", c), f3 = run("f3", c), f4 = run("f4", c);
    assertEquals(Array.from(auto), Array.from(m === "f4" ? f4 : m === "f3" ? f3 : f2));
    assert(f2.some((v, j) => v !== f4[j]) && f2.some((v, j) => v !== f3[j]));
    disposeCase(c);
  }
  assertEquals(tf.memory().numTensors, before);
});
