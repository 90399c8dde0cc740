import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { useBackend } from "../mod.ts";
import { setWasmConvKernels } from "../lib/kernels/wasm_conv.ts";
import { kernelsOf, type WasmBackendLike, weightsFirst } from "../lib/kernels/instance.ts";

type Shape = [number, number, number, number];

/**
 * convw1 hands rows whose taps come in whole vectors (kw * ci % 4 == 0) to the shuffled convq1;
 * with the switch off it does them itself. The two must give the same bits.
 */
Deno.test("shuffled weight-first kernel gives the same bits as one broadcast load per tap", async () => {
  const r = await useBackend("wasm");
  if (r._tag === "Left") throw new Error(r.left.message);
  const k = kernelsOf(tf.backend() as unknown as WasmBackendLike);
  assert(k, "our kernels should run on wasm");
  const before = tf.memory().numTensors;
  // [input, filter, winograd]: PNet's 1x1 heads (32 channels, 2 and 4 outputs), rows ending in
  // every remainder of the 7-pixel step, kernel rows whose 4-tap groups straddle pixels (ci 2 and
  // 6 with kw 2), 1 to 4 output channels, a batch, Winograd's products with 4 output channels
  // (K = 8, 12), and rows the shuffled kernel does not take (kw * ci = 5, 9).
  const cases: [Shape, Shape, boolean][] = [
    [[1, 21, 75, 32], [1, 1, 32, 2], true],
    [[1, 21, 75, 32], [1, 1, 32, 4], true],
    ...[7, 13, 19, 25, 31, 37].map((
      w,
    ): [Shape, Shape, boolean] => [[2, 3, w, 4], [1, 1, 4, 3], true]),
    [[1, 9, 20, 2], [2, 2, 2, 1], true],
    [[1, 9, 20, 6], [3, 2, 6, 4], true],
    [[3, 10, 16, 4], [3, 3, 4, 2], true],
    [[1, 12, 17, 8], [3, 3, 8, 4], true],
    [[2, 9, 12, 10], [3, 3, 10, 3], true],
    [[1, 9, 20, 5], [1, 1, 5, 4], true],
    [[1, 9, 21, 3], [3, 3, 3, 4], false],
  ];
  try {
    for (const [i, [xs, fs, wino]] of cases.entries()) {
      const wo = xs[2] - fs[1] + 1;
      if (!wino || fs[0] !== 3 || fs[1] !== 3 || xs[3] < 8) {
        assert(weightsFirst(1, wo), `${xs} * ${fs}: should take the weight-first kernel`);
      }
      setWasmConvKernels(true, { winograd: wino });
      const run = (on: number, activation: "prelu" | "linear") => {
        k.setShuffled(on);
        return tf.tidy(() =>
          tf.fused.conv2d({
            x: tf.randomNormal(xs, 0, 1, "float32", 7 + i) as tf.Tensor4D,
            filter: tf.randomNormal(fs, 0, 0.3, "float32", 17 + i) as tf.Tensor4D,
            strides: 1,
            pad: "valid",
            bias: tf.randomNormal([fs[3]], 0, 1, "float32", 27 + i),
            activation,
            preluActivationWeights: activation === "prelu"
              ? tf.randomUniform([fs[3]], 0, 0.5, "float32", 37 + i)
              : undefined,
          }).dataSync() as Float32Array
        );
      };
      for (const act of ["prelu", "linear"] as const) {
        const off = run(0, act), on = run(1, act);
        assertEquals(on.length, xs[0] * (xs[1] - fs[0] + 1) * wo * fs[3]);
        const a = new Uint32Array(on.buffer), b = new Uint32Array(off.buffer);
        const at = a.findIndex((x, j) => x !== b[j]);
        assertEquals(at, -1, `${xs} * ${fs} (${act}): first differing output ${at}`);
        // Not a pair of equal wrong answers: tfjs-wasm's own kernel agrees.
        setWasmConvKernels(false);
        const ref = run(1, act);
        setWasmConvKernels(true, { winograd: wino });
        const d = on.reduce((m, x, j) => Math.max(m, Math.abs(x - ref[j])), 0);
        assert(d < 1e-4, `${xs} * ${fs} (${act}): ${d} from tfjs-wasm's result`);
      }
    }
  } finally {
    k.setShuffled(1);
    setWasmConvKernels(true);
  }
  assertEquals(tf.memory().numTensors, before);
});
