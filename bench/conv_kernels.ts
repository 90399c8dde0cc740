/**
 * Every convolution of PNet, RNet and ONet at the sizes detection gives them, on the wasm
 * backend, one thread: tfjs-wasm's own kernel (XNNPACK) against ours, direct and Winograd.
 * Median ms of 9 runs after a warm-up, with the largest difference from tfjs's result, and our
 * kernels' throughput in GMAC/s (the layer's direct multiply-adds over the CPU time of the kernel
 * used; compare with `bench/fma_peak.ts`). `--ours` times only the kernel we use (no tfjs, no
 * direct column, no diff): quicker, for comparing two builds by turns. Prints the load average.
 *
 *   deno run -A bench/conv_kernels.ts [--ours]
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../mod.ts";
import { setWasmConvKernels, wasmConvKernels } from "../lib/kernels/wasm_conv.ts";
import { convLayer, defaultNetTensors } from "../tests/_conv_layers.ts";
import { cpuMs } from "./_args.ts";

const b = await useBackend("wasm");
if (b._tag === "Left") throw new Error(b.left.message);
const nets = await defaultNetTensors();

/** [net, layer, prelu, input shape]: PNet at the 1920x1080 image's first level, RNet 161 crops, ONet 11. */
const LAYERS: [string, string, string, [number, number, number, number]][] = [
  ["pnet", "conv1", "prelu1", [1, 649, 1153, 3]],
  ["pnet", "conv2", "prelu2", [1, 323, 576, 10]],
  ["pnet", "conv3", "prelu3", [1, 321, 574, 16]],
  ["pnet", "conv4-1", "", [1, 319, 572, 32]],
  ["rnet", "conv1", "prelu1", [161, 24, 24, 3]],
  ["rnet", "conv2", "prelu2", [161, 11, 11, 28]],
  ["rnet", "conv3", "prelu3", [161, 4, 4, 48]],
  ["onet", "conv1", "prelu1", [11, 48, 48, 3]],
  ["onet", "conv2", "prelu2", [11, 23, 23, 32]],
  ["onet", "conv3", "prelu3", [11, 10, 10, 64]],
  ["onet", "conv4", "prelu4", [11, 4, 4, 64]],
];

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];

console.log(`kernels: ${JSON.stringify(wasmConvKernels())}`);

const oursOnly = Deno.args.includes("--ours");
const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`load average ${load()}`);
console.log(
  oursOnly
    ? "| layer | input | ours ms | ours CPU ms | ours GMAC/s (CPU) |"
    : "| layer | input | tfjs-wasm ms | ours direct ms | ours Winograd ms | max diff | ours CPU ms | ours GMAC/s (CPU) |",
);
console.log(oursOnly ? "|---|---|---|---|---|" : "|---|---|---|---|---|---|---|---|");
for (const [net, layer, prelu, shape] of LAYERS) {
  const t = nets[net];
  const x = tf.randomNormal(shape, 0, 1, "float32", 1) as tf.Tensor4D;
  const run = () => convLayer(nets, net, layer, prelu, x);
  const cells: string[] = [];
  let ref: Float32Array | undefined;
  let diff = 0;
  let cpu = 0;
  const modes = oursOnly ? ["winograd"] as const : ["tfjs", "direct", "winograd"] as const;
  for (const mode of modes) {
    setWasmConvKernels(mode !== "tfjs", { winograd: mode === "winograd" });
    const ts: number[] = [];
    const cs: number[] = [];
    let out: Float32Array | undefined;
    for (let i = 0; i < 10; i++) {
      const s = performance.now(), c = cpuMs();
      const y = run();
      if (i > 0) ts.push(performance.now() - s);
      if (i > 0) cs.push(cpuMs() - c);
      if (i === 0) out = y.dataSync() as Float32Array;
      y.dispose();
    }
    if (!ref) ref = out;
    else if (out) {
      for (let i = 0; i < out.length; i++) diff = Math.max(diff, Math.abs(out[i] - ref[i]));
    }
    cells.push(median(ts).toFixed(2));
    if (mode === "winograd") cpu = median(cs);
  }
  const [kh, kw, ci, co] = t[`${layer}/kernel`].shape;
  const macs = shape[0] * (shape[1] - kh + 1) * (shape[2] - kw + 1) * kh * kw * ci * co;
  setWasmConvKernels(true);
  x.dispose();
  console.log(
    `| ${net} ${layer} | ${shape.join("x")} | ${cells.join(" | ")} | ${
      oursOnly ? "" : `${diff.toExponential(1)} | `
    }${cpu.toFixed(2)} | ${(macs / cpu / 1e6).toFixed(1)} |`,
  );
}
console.log(`load average ${load()}`);
