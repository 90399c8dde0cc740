/**
 * Our kernels with the shuffled weight-first kernel (convq1, scripts/kernels/direct.ts) off (0)
 * and on (1), in turns in one process, on MTCNN's layers at detection's sizes: median CPU ms of
 * 11 runs each, and whether the two give the same bits. Prints the load average.
 *
 *   deno run -A bench/conv_shuffle.ts [0 1 ...]
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../mod.ts";
import { convLayer, defaultNetTensors } from "../tests/_conv_layers.ts";
import { kernelsOf, type WasmBackendLike } from "../lib/kernels/instance.ts";
import { cpuMs } from "./_args.ts";
await useBackend("wasm");
const k = kernelsOf(tf.backend() as unknown as WasmBackendLike);
if (!k) throw new Error("our kernels do not run here");
const nets = await defaultNetTensors();
const LAYERS: [string, string, string, [number, number, number, number]][] = [
  ["pnet", "conv2", "prelu2", [1, 323, 576, 10]],
  ["pnet", "conv3", "prelu3", [1, 321, 574, 16]],
  ["pnet", "conv4-1", "", [1, 319, 572, 32]],
  ["pnet", "conv4-2", "", [1, 319, 572, 32]],
  ["rnet", "conv2", "prelu2", [161, 11, 11, 28]],
  ["rnet", "conv3", "prelu3", [161, 4, 4, 48]],
  ["onet", "conv2", "prelu2", [11, 23, 23, 32]],
  ["onet", "conv3", "prelu3", [11, 10, 10, 64]],
  ["onet", "conv4", "prelu4", [11, 4, 4, 64]],
];
const masks = Deno.args.length ? Deno.args.map(Number) : [0, 1, 0, 1];
const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`load average ${load()}; shuffled: ${masks.join(" | ")}`);
for (const [net, layer, prelu, shape] of LAYERS) {
  const x = tf.randomNormal(shape, 0, 1, "float32", 1) as tf.Tensor4D;
  const run = () => convLayer(nets, net, layer, prelu, x);
  const times = masks.map(() => [] as number[]);
  const outs: Float32Array[] = [];
  for (let r = 0; r < 12; r++) {
    masks.forEach((m, i) => {
      k.setShuffled(m);
      const c = cpuMs();
      const y = run();
      const d = cpuMs() - c;
      if (r > 0) times[i].push(d);
      if (r === 0) outs[i] = y.dataSync() as Float32Array;
      y.dispose();
    });
  }
  const same = outs.every((o) =>
    o.length === outs[0].length && o.every((v, j) => Object.is(v, outs[0][j]))
  );
  console.log(
    `${net} ${layer} ${shape.join("x")}: ${times.map((ts) => med(ts).toFixed(2)).join(" | ")} ${
      same ? "same bits" : "DIFFERENT"
    }`,
  );
  x.dispose();
}
console.log(`load average ${load()}`);
