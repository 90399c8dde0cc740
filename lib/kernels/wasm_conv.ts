/**
 * Our own `Conv2D` and `FusedConv2D` kernels for tfjs's wasm backend: direct convolutions in
 * WebAssembly SIMD (scripts/build_kernels.ts) that run in the backend's own memory, with bias and
 * PReLU fused in. They replace tfjs-wasm's kernels for the convolutions MTCNN has (stride 1,
 * no padding, no dilation, NHWC, float32) and hand every other case back to tfjs's kernel.
 *
 * Why: tfjs-wasm's convolution (XNNPACK) runs a 3-input-channel layer at a third of the speed of
 * its other layers and applies PReLU in a second pass; ours keeps P pixels x V vectors of output
 * channels in registers and uses fused multiply-add (relaxed SIMD) where the runtime has it.
 * Measured on PNet's first layer at 1152x648: 35 ms -> 16 ms (docs/speed.md).
 *
 * Detection and training share them: both call `tf.fused.conv2d` / `tf.conv2d` on the wasm
 * backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { decodeBase64 } from "../base64.ts";
import { CONV_WASM_FMA, CONV_WASM_PLAIN } from "./conv_wasm_data.ts";

/** What we use of tfjs-wasm's backend object (internal, stable across 4.x). */
interface WasmBackendLike {
  readonly wasm: {
    readonly asm?: { readonly memory?: WebAssembly.Memory };
    readonly wasmMemory?: WebAssembly.Memory;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  readonly dataIdMap: { get(id: unknown): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

type ConvFn = (
  inp: number,
  n: number,
  h: number,
  w: number,
  ci: number,
  kh: number,
  kw: number,
  wts: number,
  coPad: number,
  c0: number,
  bias: number,
  alpha: number,
  act: number,
  out: number,
  co: number,
  lastLanes: number,
) => void;

type WinoFn = (
  inp: number,
  n: number,
  h: number,
  w: number,
  ci: number,
  u: number,
  coPad: number,
  co: number,
  bias: number,
  alpha: number,
  act: number,
  out: number,
  scratch: number,
  lastLanes: number,
) => void;

interface Kernels {
  readonly memory: WebAssembly.Memory;
  readonly conv: readonly ConvFn[];
  readonly wino: WinoFn;
  readonly winoFilter: (g: number, ci: number, co: number, coPad: number, u: number) => void;
  /** Bytes of scratch wino needs after the transformed filter. */
  readonly winoScratch: (ci: number, coPad: number) => number;
  readonly fma: boolean;
}

const instances = new WeakMap<WebAssembly.Memory, Kernels | null>();

const instantiate = (memory: WebAssembly.Memory, base64: string): Kernels | null => {
  const bytes = decodeBase64(base64);
  if (!bytes) return null;
  try {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {
      env: { memory },
    });
    const e = inst.exports as Record<string, unknown>;
    const conv = [e.conv1, e.conv1, e.conv2, e.conv3, e.conv4] as ConvFn[];
    return {
      memory,
      conv,
      wino: e.wino as WinoFn,
      winoFilter: e.winoFilter as Kernels["winoFilter"],
      winoScratch: e.winoScratch as Kernels["winoScratch"],
      fma: false,
    };
  } catch {
    return null;
  }
};

/** The kernels bound to a wasm backend's memory, or null where they cannot run. */
const kernelsOf = (backend: WasmBackendLike): Kernels | null => {
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  let k = instances.get(memory);
  if (k === undefined) {
    const fma = instantiate(memory, CONV_WASM_FMA);
    k = fma ? { ...fma, fma: true } : instantiate(memory, CONV_WASM_PLAIN);
    instances.set(memory, k);
  }
  return k;
};

/**
 * How the output channels are cut into groups of V vectors (4 channels each), V <= 4: groups of
 * 3 (3 pixels per step) while more than 4 vectors are left, then the rest in one group.
 * Measured best or equal on every MTCNN layer.
 */
export const channelGroups = (co: number): number[] => {
  const groups: number[] = [];
  let left = Math.ceil(co / 4);
  while (left > 4) {
    groups.push(3);
    left -= 3;
  }
  if (left > 0) groups.push(left);
  return groups;
};

interface ConvArgs {
  readonly x: tf.TensorInfo;
  readonly filter: tf.TensorInfo;
  readonly bias?: tf.TensorInfo;
  readonly alpha?: tf.TensorInfo;
  readonly activation: "linear" | "relu" | "prelu";
}

/** Our convolution, or undefined when this case is not ours (then tfjs's kernel runs). */
const runConv = (backend: WasmBackendLike, a: ConvArgs): tf.TensorInfo | undefined => {
  const k = kernelsOf(backend);
  if (!k) return undefined;
  const [n, h, w, ci] = a.x.shape;
  const [kh, kw, fci, co] = a.filter.shape;
  if (fci !== ci || kh > h || kw > w || co === 0) return undefined;
  const offset = (t?: tf.TensorInfo) => (t ? backend.dataIdMap.get(t.dataId)?.memoryOffset : 0);
  // Byte offsets do not move when memory grows; only views of it must be made afresh.
  const xp = offset(a.x), fp = offset(a.filter), bp = offset(a.bias), ap = offset(a.alpha);
  if (xp === undefined || fp === undefined || bp === undefined || ap === undefined) return;
  const coPad = Math.ceil(co / 4) * 4;
  // Winograd F(2x2, 3x3) where it pays: 3x3 kernels over 8 or more input channels.
  const wino = winograd && kh === 3 && kw === 3 && ci >= 8;
  const ciPad = Math.ceil(ci / 4) * 4;
  const needWeights = !wino && coPad !== co;
  const needVectors = coPad !== co || !a.bias || a.activation === "relu";
  const out = backend.makeOutput([n, h - kh + 1, w - kw + 1, co], "float32");
  const op = offset(out) as number;
  const taps = kh * kw * ci;
  const winoFloats = wino ? 16 * ciPad * coPad + k.winoScratch(ci, coPad) / 4 : 0;
  const scratchFloats = winoFloats + (needWeights ? taps * coPad : 0) +
    (needVectors ? 2 * coPad : 0);
  const scratch = scratchFloats ? backend.wasm._malloc(scratchFloats * 4) : 0;
  try {
    const heap = new Float32Array(k.memory.buffer);
    let wts = fp, bias = bp, alpha = ap;
    let at = scratch >> 2;
    if (wino) {
      k.winoFilter(fp, ci, co, coPad, scratch);
      at += winoFloats;
      heap.fill(0, at - coPad, at); // the zeros after V and M
    }
    if (needWeights) {
      for (let r = 0; r < taps; r++) {
        const src = (fp >> 2) + r * co, dst = at + r * coPad;
        for (let c = 0; c < coPad; c++) heap[dst + c] = c < co ? heap[src + c] : 0;
      }
      wts = at << 2;
      at += taps * coPad;
    }
    if (needVectors) {
      for (let c = 0; c < coPad; c++) {
        heap[at + c] = a.bias && c < co ? heap[(bp >> 2) + c] : 0;
        heap[at + coPad + c] = a.activation === "prelu" && c < co ? heap[(ap >> 2) + c] : 0;
      }
      bias = at << 2;
      alpha = (at + coPad) << 2;
    }
    const act = a.activation === "linear" ? 0 : 1;
    if (wino) {
      const uBytes = 16 * ciPad * coPad * 4;
      const lastLanes = co - (coPad - 4);
      k.wino(
        xp,
        n,
        h,
        w,
        ci,
        scratch,
        coPad,
        co,
        bias,
        alpha,
        act,
        op,
        scratch + uBytes,
        lastLanes,
      );
      return out;
    }
    let c0 = 0;
    for (const v of channelGroups(co)) {
      const lastLanes = Math.min(4, co - c0 - 4 * (v - 1));
      k.conv[v](xp, n, h, w, ci, kh, kw, wts, coPad, c0, bias, alpha, act, op, co, lastLanes);
      c0 += 4 * v;
    }
    return out;
  } finally {
    if (scratch) backend.wasm._free(scratch);
  }
};

interface ConvAttrs {
  readonly strides: number | [number, number];
  readonly pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  readonly dataFormat?: string;
  readonly dilations?: number | [number, number];
  readonly dimRoundingMode?: "floor" | "round" | "ceil";
  readonly activation?: string;
}

const isOne = (v: number | [number, number] | undefined) =>
  v === undefined || v === 1 || (Array.isArray(v) && v[0] === 1 && v[1] === 1);

/** Whether the attributes describe a case our kernel computes (stride 1, VALID, NHWC). */
const ours = (x: tf.TensorInfo, filter: tf.TensorInfo, attrs: ConvAttrs): boolean => {
  if (x.dtype !== "float32" || filter.dtype !== "float32") return false;
  if (x.shape.length !== 4 || filter.shape.length !== 4) return false;
  if ((attrs.dataFormat ?? "NHWC") !== "NHWC") return false;
  if (!isOne(attrs.strides) || !isOne(attrs.dilations)) return false;
  const valid = attrs.pad === "valid" || attrs.pad === 0 ||
    (attrs.pad === "same" && filter.shape[0] === 1 && filter.shape[1] === 1);
  return valid;
};

let enabled = true;
let winograd = true;
let installed = false;

/**
 * Turns our wasm convolution kernels on (the default) or off (tfjs-wasm's own kernels run), e.g.
 * to compare the two; `winograd: false` keeps direct convolution for the 3x3 layers too.
 * Affects only the wasm backend.
 *
 * @example
 * ```ts
 * import { setWasmConvKernels } from "@mtcnn/mtcnn";
 * setWasmConvKernels(false); // tfjs's XNNPACK convolutions
 * setWasmConvKernels(true);
 * ```
 */
export const setWasmConvKernels = (on: boolean, options: { winograd?: boolean } = {}): void => {
  enabled = on;
  winograd = options.winograd ?? true;
};

/**
 * Whether our convolution kernels run on the current wasm backend, and with fused multiply-add.
 * `undefined` when the current backend is not wasm or the kernels are off.
 *
 * @example
 * ```ts
 * import { useBackend, wasmConvKernels } from "@mtcnn/mtcnn";
 * await useBackend("wasm")();
 * console.log(wasmConvKernels()); // e.g. { fma: true }
 * ```
 */
export const wasmConvKernels = (): { readonly fma: boolean } | undefined => {
  if (!enabled || !installed || tf.getBackend() !== "wasm") return undefined;
  const k = kernelsOf(tf.backend() as unknown as WasmBackendLike);
  return k ? { fma: k.fma } : undefined;
};

/**
 * Registers our `Conv2D` and `FusedConv2D` for the wasm backend in place of tfjs's, which still
 * run every case ours does not cover (idempotent; called by `useBackend`). Needs
 * `@tensorflow/tfjs-backend-wasm` imported first.
 *
 * @example
 * ```ts
 * import { installWasmConvKernels } from "@mtcnn/mtcnn";
 * installWasmConvKernels();
 * ```
 */
export const installWasmConvKernels = (): void => {
  if (installed) return;
  const conv = tf.getKernel("Conv2D", "wasm");
  const fused = tf.getKernel("FusedConv2D", "wasm");
  if (!conv || !fused) return;
  installed = true;
  tf.unregisterKernel("Conv2D", "wasm");
  tf.registerKernel({
    ...conv,
    kernelFunc: (args) => {
      const { x, filter } = args.inputs as unknown as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const attrs = args.attrs as unknown as ConvAttrs;
      const backend = args.backend as unknown as WasmBackendLike;
      const r = enabled && ours(x, filter, attrs)
        ? runConv(backend, { x, filter, activation: "linear" })
        : undefined;
      return r ?? conv.kernelFunc(args);
    },
  });
  tf.unregisterKernel("FusedConv2D", "wasm");
  tf.registerKernel({
    ...fused,
    kernelFunc: (args) => {
      const inputs = args.inputs as unknown as {
        x: tf.TensorInfo;
        filter: tf.TensorInfo;
        bias?: tf.TensorInfo;
        preluActivationWeights?: tf.TensorInfo;
      };
      const attrs = args.attrs as unknown as ConvAttrs;
      const { x, filter, bias } = inputs;
      const alpha = inputs.preluActivationWeights;
      const co = filter.shape[3];
      const activation = attrs.activation ?? "linear";
      const fits = enabled && ours(x, filter, attrs) &&
        (activation === "linear" || activation === "relu" ||
          (activation === "prelu" && alpha !== undefined && sizeOf(alpha) === co)) &&
        (!bias || (sizeOf(bias) === co && bias.dtype === "float32")) &&
        (!alpha || alpha.dtype === "float32");
      const r = fits
        ? runConv(args.backend as unknown as WasmBackendLike, {
          x,
          filter,
          bias,
          alpha,
          activation: activation as ConvArgs["activation"],
        })
        : undefined;
      return r ?? fused.kernelFunc(args);
    },
  });
};

const sizeOf = (t: tf.TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);
