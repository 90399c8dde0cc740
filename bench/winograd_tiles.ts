/**
 * Winograd F(2x2, 3x3), F(3x3, 3x3) and F(4x4, 3x3) on MTCNN's Winograd layers (real weights,
 * PReLU), each forced (`setWasmConvKernels(true, { tile })`), at the sizes detection gives them:
 * CPU ms per call, medians of 7 rounds taken by turns, and the ratios to F(2x2). What
 * lib/kernels/run_conv.ts's `winogradTile` rule is based on. `--sweep`: PNet's layers on small maps (outputs 1 to 24
 * pixels square, one image) and single crops. Prints the load average.
 *
 *   deno run -A bench/winograd_tiles.ts [--sweep]
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../mod.ts";
import { setWasmConvKernels } from "../lib/kernels/wasm_conv.ts";
import { convLayer, defaultNetTensors } from "../tests/_conv_layers.ts";
import { cpuMs } from "./_args.ts";

const b = await useBackend("wasm");
if (b._tag === "Left") throw new Error(b.left.message);
const nets = await defaultNetTensors();

type Layer = [string, string, string, [number, number, number, number], number];
/** [net, conv, prelu, input, calls per timing]. */
const pnet = (o: number, reps: number): Layer[] => [
  ["pnet", "conv2", "prelu2", [1, o + 2, o + 2, 10], reps],
  ["pnet", "conv3", "prelu3", [1, o + 2, o + 2, 16], reps],
];
const LAYERS: Layer[] = Deno.args.includes("--sweep")
  ? [
    ...[1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 24].flatMap((o) => pnet(o, 400)),
    ["rnet", "conv2", "prelu2", [1, 11, 11, 28], 400],
    ["onet", "conv2", "prelu2", [1, 23, 23, 32], 100],
    ["onet", "conv3", "prelu3", [1, 10, 10, 64], 200],
  ]
  : [
    ["pnet", "conv2", "prelu2", [1, 323, 576, 10], 5],
    ["pnet", "conv3", "prelu3", [1, 321, 574, 16], 5],
    ...pnet(122, 20),
    ...pnet(20, 200),
    ["rnet", "conv2", "prelu2", [161, 11, 11, 28], 5],
    ["rnet", "conv2", "prelu2", [16, 11, 11, 28], 40],
    ["onet", "conv2", "prelu2", [11, 23, 23, 32], 10],
    ["onet", "conv3", "prelu3", [11, 10, 10, 64], 20],
  ];

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`load average ${load()}`);
console.log(
  "| layer | input | output | F(2x2) CPU ms | F(3x3) CPU ms | F(4x4) CPU ms | F(3x3) / F(2x2) | F(4x4) / F(2x2) |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const [net, layer, prelu, shape, reps] of LAYERS) {
  const x = tf.randomNormal(shape, 0, 1, "float32", 1) as tf.Tensor4D;
  const run = () => convLayer(nets, net, layer, prelu, x);
  const ms: number[][] = [[], [], []];
  for (let round = 0; round < 7; round++) {
    for (const tile of [2, 3, 4] as const) {
      setWasmConvKernels(true, { tile });
      run().dispose();
      const c = cpuMs();
      for (let i = 0; i < reps; i++) run().dispose();
      ms[tile - 2].push((cpuMs() - c) / reps);
    }
  }
  setWasmConvKernels(true);
  x.dispose();
  const [f2, f3, f4] = ms.map(median);
  console.log(
    `| ${net} ${layer} | ${shape.join("x")} | ${shape[1] - 2}x${shape[2] - 2} | ${
      [f2, f3, f4].map((v) => v.toFixed(3)).join(" | ")
    } | ${(f3 / f2).toFixed(2)} | ${(f4 / f2).toFixed(2)} |`,
  );
}
console.log(`load average ${load()}`);
