/**
 * The wasm backend's kernel for a stack of convolution + bias + PReLU (+ max pool) layers
 * (lib/nets/conv_pool.ts) in detection: our convolutions (lib/kernels/run_conv.ts) and our max
 * pool (wasm_pool.ts) run layer after layer on a few images at a time, each into a small scratch
 * buffer that the next layer reads back while it is still in cache, the last straight into the
 * output tensor; the whole intermediate maps are never made. Why: RNet's first convolution writes
 * 22 x 22 x 28 floats per crop, 9.8 MB for a batch of 180, far more than the cache, and the pool
 * then read it all back from memory (docs/speed.md, "Outside the convolutions"). Each image's
 * convolutions and pools are computed alone in either case, so the bits are those of the kernels
 * one after the other. Cases our kernels do not cover, or when they are turned off, run the
 * backend's `FusedConv2D` and `MaxPool` layer by layer.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { offsetOf, sizeOf, type WasmBackendLike } from "./instance.ts";
import { prepareConv, type PreparedConv } from "./run_conv.ts";
import { type ConvAttrs, fusedConvArgs, wasmWinogradOn, wasmWinogradTile } from "./wasm_conv.ts";
import { type PoolAttrs, type PreparedPool, preparePool, wasmMaxPoolOn } from "./wasm_pool.ts";
import { CONV_STACK_KERNEL } from "../nets/conv_pool.ts";

/** Bytes of the largest layer output per piece: a few crops, well inside a core's L2. */
let chunkBytes = 256 * 1024;
let enabled = true;

/**
 * Turns the stacks in pieces on (the default) or off (the backend's `FusedConv2D` and `MaxPool`
 * run layer by layer, as before), and sets how many bytes the largest layer output of a piece
 * holds (at least one image), e.g. to compare.
 */
export const setWasmConvPool = (on: boolean, options: { chunkBytes?: number } = {}): void => {
  enabled = on;
  if (options.chunkBytes !== undefined) chunkBytes = options.chunkBytes;
};

/** Images per piece when one image's largest layer output is `bytes` (at least one). */
export const imagesPerPiece = (bytes: number): number =>
  Math.max(1, Math.floor(chunkBytes / bytes));

interface Layer {
  readonly filter: tf.TensorInfo;
  readonly bias: tf.TensorInfo;
  readonly alpha?: tf.TensorInfo;
  readonly pool: PoolAttrs | null;
}

const CONV_ATTRS = { strides: 1, pad: "valid", dataFormat: "NHWC", dilations: 1 } as const;
const convAttrs = (l: Layer): ConvAttrs => ({
  ...CONV_ATTRS,
  activation: l.alpha ? "prelu" : "linear",
});

/** The backend's registered kernel `name` on these inputs (ours where installed). */
const kernel = (
  name: string,
  inputs: Record<string, tf.TensorInfo | undefined>,
  attrs: object,
  backend: unknown,
): tf.TensorInfo => {
  const k = tf.getKernel(name, "wasm");
  if (!k) throw new Error(`${CONV_STACK_KERNEL}: the wasm backend has no ${name}`);
  return k.kernelFunc({
    inputs: inputs as unknown as tf.NamedTensorInfoMap,
    attrs: attrs as unknown as tf.NamedAttrMap,
    backend: backend as tf.KernelBackend,
  }) as tf.TensorInfo;
};

/** One prepared step of a stack, with its output's bytes per image. */
interface Step {
  readonly run: (xp: number, n: number, op: number) => void;
  readonly bytes: number;
  readonly free: () => void;
}

/** The stack in pieces, or undefined when a layer of it is not ours. */
const inPieces = (
  backend: WasmBackendLike,
  x: tf.TensorInfo,
  layers: readonly Layer[],
): tf.TensorInfo | undefined => {
  const xp = offsetOf(backend, x);
  if (!enabled || !wasmMaxPoolOn() || xp === undefined || layers.length === 0) return undefined;
  const steps: Step[] = [];
  let scratch = 0;
  try {
    let shape = x.shape.slice(1) as [number, number, number];
    for (const l of layers) {
      // A layer's input: the image shape only matters (its data comes from the step before).
      const input = { ...x, shape: [1, ...shape] };
      const a = fusedConvArgs({ ...l, x: input, preluActivationWeights: l.alpha }, convAttrs(l));
      const conv: PreparedConv | undefined = a &&
        prepareConv(backend, a, wasmWinogradOn(), wasmWinogradTile());
      if (!conv) return undefined;
      steps.push({ ...conv, bytes: sizeOf([...conv.outShape]) * 4 });
      shape = [...conv.outShape];
      if (l.pool) {
        const pool: PreparedPool | undefined = preparePool(backend, shape, l.pool);
        if (!pool) return undefined;
        steps.push({ ...pool, bytes: sizeOf([...pool.outShape]) * 4 });
        shape = [...pool.outShape];
      }
    }
    const n = x.shape[0], inBytes = sizeOf(x.shape.slice(1)) * 4;
    const per = Math.min(n, imagesPerPiece(Math.max(...steps.map((s) => s.bytes))));
    const out = backend.makeOutput([n, ...shape], "float32");
    const op = offsetOf(backend, out) as number;
    // Scratch for every step's output but the last's (that goes to the output tensor).
    const inner = steps.slice(0, -1);
    const total = inner.reduce((t, s) => t + per * s.bytes, 0);
    scratch = n > 0 && total > 0 ? backend.wasm._malloc(total) : 0;
    const at: number[] = [];
    inner.reduce((p, s) => (at.push(p), p + per * s.bytes), scratch);
    const last = steps[steps.length - 1];
    for (let b = 0; b < n; b += per) {
      const m = Math.min(per, n - b);
      let from = xp + b * inBytes;
      for (const [i, s] of inner.entries()) {
        s.run(from, m, at[i]);
        from = at[i];
      }
      last.run(from, m, op + b * last.bytes);
    }
    return out;
  } finally {
    if (scratch) backend.wasm._free(scratch);
    for (const s of steps) s.free();
  }
};

/** The layers of the kernel's inputs and attributes. */
const layersOf = (inputs: Record<string, tf.TensorInfo>, pools: (PoolAttrs | null)[]): Layer[] =>
  pools.map((pool, i) => ({
    filter: inputs[`filter${i}`],
    bias: inputs[`bias${i}`],
    alpha: inputs[`alpha${i}`],
    pool,
  }));

let installed = false;

/**
 * Registers {@linkcode CONV_STACK_KERNEL} for the wasm backend (idempotent; called where the wasm
 * backend starts, after our convolution and max-pool kernels).
 */
export const installWasmConvPool = (): void => {
  if (installed || !tf.getKernel("FusedConv2D", "wasm")) return;
  installed = true;
  tf.registerKernel({
    kernelName: CONV_STACK_KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const ins = inputs as Record<string, tf.TensorInfo>, x = ins.x;
      const layers = layersOf(ins, (attrs as unknown as { pools: (PoolAttrs | null)[] }).pools);
      const b = backend as unknown as WasmBackendLike & { disposeData(id: unknown): boolean };
      const r = inPieces(b, x, layers);
      if (r) return r;
      // Layer by layer with the backend's kernels, each intermediate map released once read.
      let h = x;
      for (const l of layers) {
        const { filter, bias, alpha } = l;
        const convs = [
          kernel(
            "FusedConv2D",
            { x: h, filter, bias, preluActivationWeights: alpha },
            convAttrs(l),
            b,
          ),
        ];
        if (l.pool) convs.push(kernel("MaxPool", { x: convs[0] }, l.pool, b));
        if (h !== x) b.disposeData(h.dataId);
        if (convs.length > 1) b.disposeData(convs[0].dataId);
        h = convs[convs.length - 1];
      }
      return h;
    },
  });
};
