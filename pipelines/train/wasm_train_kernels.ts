/**
 * Our training kernels on tfjs's wasm backend (lib/kernels/train_grads.ts, WebAssembly SIMD in
 * the backend's memory), in place of the composed or host versions: where a training step's
 * time went (docs/training.md, `bench/train_profile.ts`).
 * - `Conv2DBackpropFilter` for stride-1 unpadded convolutions (every MTCNN layer): the filter
 *   gradient accumulated in registers, 4 input x up to 12 output channels at a time, a few
 *   output rows at a time (before: transposes and a convolution with the batch as channels);
 * - `Conv2DBackpropInput` for stride-1 unpadded convolutions: dY zero-padded and the filter
 *   flipped in wasm memory, then our forward kernels (before: pad, reverse and transpose ops);
 * - `MaxPoolGrad`: the same rule as the host loop it replaces (first maximum of each window);
 * - `Sum` over leading axes (every bias gradient): one pass over the rows (tfjs-wasm transposes
 *   first);
 * - the `Prelu` gradient: dx in one pass and dalpha in one pass (tfjs composes greater, select,
 *   multiply, zerosLike and a sum), through a kernel `MtcnnPreluGrad`;
 * - `BatchMatMul` of one 2-D product (the dense layers and their gradients): our convolution
 *   and filter-gradient kernels as 1x1 products (tfjs-wasm's transposed products are about
 *   10x slower than its plain one);
 * - `Identity` (the tape's saved inputs) shares the data instead of copying it;
 * - `MtcnnAdam`: Adam's whole update of a variable in one pass (lib/train/adam.ts uses it when
 *   it is registered), the same float32 operations in the same order as the tensor ops;
 * - the training-mode convolution + bias + PReLU op's kernels (wasm_conv_prelu_kernels.ts).
 * Every other case runs tfjs's (or our earlier composed) kernel. `registerWasmGradKernels`
 * installs them, which the wasm backend's set-up calls (pipelines/edge/backend.ts), so detection
 * runs with them too (only `Identity`, `Sum` and `BatchMatMul` can be reached there; each is
 * tested equal to the cpu backend).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackendLike } from "../../lib/kernels/instance.ts";
import {
  runAdam,
  runFilterGrad,
  runInputGrad,
  runLeadingSum,
  runMatMul,
  runMaxPoolGrad,
  runPreluGrad,
} from "../../lib/kernels/train_grads.ts";
import { trainKernelsOf } from "../../lib/kernels/train_instance.ts";
import { ADAM_KERNEL, type AdamKernelAttrs } from "../../lib/train/adam.ts";
import { setWasmConvPreluKernels } from "./wasm_conv_prelu_kernels.ts";

/**
 * Name of our PReLU gradient kernel: inputs dy, x, alpha; attribute `part` "x" or "alpha"; one
 * output, dx or dalpha (a kernel per part: tfjs computes each input's gradient in its own scope).
 */
export const PRELU_GRAD_KERNEL = "MtcnnPreluGrad";

let enabled = true;
let installed = false;
const adamConfig: tf.KernelConfig = {
  kernelName: ADAM_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { w, g, m, v } = inputs as unknown as Record<string, tf.TensorInfo>;
    const s = attrs as unknown as AdamKernelAttrs;
    const r = runAdam(backend as unknown as WasmBackendLike, w, g, m, v, s);
    if (!r) throw new Error(`${ADAM_KERNEL}: unsupported variable ${w.shape} ${w.dtype}`);
    return r;
  },
};

/**
 * Turns our training kernels on (the default once installed) or off (tfjs's kernels and our
 * earlier composed ones run), e.g. to compare the two.
 *
 * @example
 * ```ts
 * import { setWasmTrainKernels } from "./wasm_train_kernels.ts";
 * setWasmTrainKernels(false);
 * ```
 */
export const setWasmTrainKernels = (on: boolean): void => {
  enabled = on;
  const has = tf.getKernel(ADAM_KERNEL, "wasm") !== undefined;
  if (installed && on && !has) tf.registerKernel(adamConfig);
  if (!on && has) tf.unregisterKernel(ADAM_KERNEL, "wasm");
  if (installed) setWasmConvPreluKernels(on);
};

/** Whether our training kernels run on the current backend. */
export const wasmTrainKernels = (): { readonly fma: boolean } | undefined => {
  if (!enabled || !installed || tf.getBackend() !== "wasm") return undefined;
  const k = trainKernelsOf(tf.backend() as unknown as WasmBackendLike);
  return k ? { fma: k.fma } : undefined;
};

const replace = (
  name: string,
  ours: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | tf.TensorInfo[] | undefined,
) => {
  const old = tf.getKernel(name, "wasm");
  if (!old) return;
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({
    ...old,
    kernelFunc: (args) => (enabled ? ours(args) : undefined) ?? old.kernelFunc(args),
  });
};

const isOne = (v: unknown) =>
  v === undefined || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

/**
 * Installs our training kernels for the wasm backend on top of the ones
 * `registerWasmGradKernels` registers (idempotent; it calls this).
 */
export const installWasmTrainKernels = (): void => {
  if (installed || !tf.getKernel("Conv2DBackpropFilter", "wasm")) return;
  installed = true;
  replace("Conv2DBackpropFilter", ({ inputs, attrs, backend }) => {
    const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as {
      strides: number | [number, number];
      pad: "valid" | "same" | number;
      dataFormat: string;
      dimRoundingMode?: "floor" | "round" | "ceil";
      filterShape: [number, number, number, number];
    };
    if (a.dataFormat === "NCHW" || !isOne(a.strides) || x.shape.length !== 4) return undefined;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const p = info.padInfo;
    if (p.top || p.left || p.bottom || p.right) return undefined;
    return runFilterGrad(backend as unknown as WasmBackendLike, x, dy, a.filterShape);
  });
  replace("Conv2DBackpropInput", ({ inputs, attrs, backend }) => {
    const { dy, filter } = inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as {
      strides: number | [number, number];
      pad: "valid" | "same" | number;
      dataFormat: string;
      dimRoundingMode?: "floor" | "round" | "ceil";
      inputShape: [number, number, number, number];
    };
    if (a.dataFormat === "NCHW" || !isOne(a.strides) || filter.shape.length !== 4) return;
    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const p = info.padInfo;
    if (p.top || p.left || p.bottom || p.right) return undefined;
    return runInputGrad(backend as unknown as Parameters<typeof runInputGrad>[0], dy, filter);
  });
  replace("MaxPoolGrad", ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const a = attrs as unknown as {
      filterSize: number | [number, number];
      strides: number | [number, number];
      pad: "valid" | "same" | number;
      dimRoundingMode?: "floor" | "round" | "ceil";
    };
    if (input.shape.length !== 4) return undefined;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    return runMaxPoolGrad(backend as unknown as WasmBackendLike, dy, input, {
      ...info,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    });
  });
  replace("Sum", ({ inputs, attrs, backend }) => {
    const { x } = inputs as unknown as { x: tf.TensorInfo };
    const a = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(a.axis, x.shape).sort((p, q) => p - q);
    if (axes.some((d, i) => d !== i)) return undefined;
    return runLeadingSum(backend as unknown as WasmBackendLike, x, axes.length, a.keepDims);
  });
  replace("BatchMatMul", ({ inputs, attrs, backend }) => {
    const { a, b } = inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const t = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    return runMatMul(
      backend as unknown as Parameters<typeof runMatMul>[0],
      a,
      b,
      t.transposeA,
      t.transposeB,
    );
  });
  // The tape saves every op's inputs through Identity, which tfjs-wasm copies; sharing the data
  // (as the cpu backend and tfjs-wasm's own Reshape do) is what tfjs's semantics allow.
  replace("Identity", ({ inputs, backend }) => {
    const { x } = inputs as unknown as { x: tf.TensorInfo };
    (backend as unknown as { incRef(id: unknown): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
  tf.registerKernel({
    kernelName: PRELU_GRAD_KERNEL,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { dy, x, alpha } = inputs as unknown as Record<string, tf.TensorInfo>;
      const part = (attrs as { part: "x" | "alpha" }).part;
      const r = runPreluGrad(backend as unknown as WasmBackendLike, dy, x, alpha, part);
      if (!r) throw new Error(`${PRELU_GRAD_KERNEL}: unsupported shapes ${x.shape} ${alpha.shape}`);
      return r;
    },
  });
  const preluGrad = tf.getGradient("Prelu");
  if (preluGrad) {
    tf.registerGradient({
      ...preluGrad,
      gradFunc: (dy, saved, attrs) => {
        const [x, alpha] = saved;
        const c = x.shape[x.shape.length - 1];
        const ours = enabled && tf.getBackend() === "wasm" && alpha.size === c &&
          alpha.shape[alpha.shape.length - 1] === c && x.dtype === "float32" &&
          !Array.isArray(dy) && dy.shape.length === x.shape.length;
        if (!ours) return preluGrad.gradFunc(dy, saved, attrs);
        const run = (part: string) => () =>
          tf.engine().runKernel(PRELU_GRAD_KERNEL, { dy, x, alpha }, { part }) as tf.Tensor;
        return { x: run("x"), alpha: run("alpha") };
      },
    });
  }
  if (enabled) tf.registerKernel(adamConfig);
  setWasmConvPreluKernels(enabled);
};
