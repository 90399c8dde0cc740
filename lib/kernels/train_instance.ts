/**
 * Our training kernels' WebAssembly module (scripts/kernels/train.ts), instantiated once per
 * tfjs-wasm memory like the convolution kernels: with fused multiply-add (relaxed SIMD) where
 * the runtime compiles it, plain SIMD otherwise.
 *
 * @module
 */
import { decodeBase64 } from "../base64.ts";
import type { WasmBackendLike } from "./instance.ts";
import { TRAIN_WASM_FMA, TRAIN_WASM_PLAIN } from "./train_wasm_data.ts";

/** The exports of the training module (byte offsets into the backend's memory). */
export interface TrainKernels {
  readonly memory: WebAssembly.Memory;
  readonly filterGrad: (
    x: number,
    n: number,
    h: number,
    w: number,
    ci: number,
    dy: number,
    dyc: number,
    coPad: number,
    kh: number,
    kw: number,
    acc: number,
  ) => void;
  readonly padRows: (src: number, rows: number, c: number, cPad: number, dst: number) => void;
  readonly unpadRows: (src: number, rows: number, c: number, cPad: number, dst: number) => void;
  readonly padImages: (...args: number[]) => void;
  readonly flipFilter: (
    src: number,
    kh: number,
    kw: number,
    ci: number,
    co: number,
    dst: number,
  ) => void;
  readonly transpose2d: (src: number, rows: number, cols: number, dst: number) => void;
  readonly colSum: (src: number, rows: number, c: number, dst: number) => void;
  readonly preluGradX: (
    x: number,
    dy: number,
    alpha: number,
    rows: number,
    c: number,
    dx: number,
  ) => void;
  readonly preluGradAlpha: (x: number, dy: number, rows: number, c: number, da: number) => void;
  readonly maxPoolGrad: (...args: number[]) => void;
  readonly maxPoolGradTiled: (...args: number[]) => void;
  readonly preluForward: (
    z: number,
    alpha: number,
    rows: number,
    c: number,
    y: number,
    scratch: number,
  ) => void;
  readonly biasPreluGrad: (
    z: number,
    dy: number,
    alpha: number,
    rows: number,
    c: number,
    dz: number,
    dbias: number,
    dalpha: number,
    scratch: number,
  ) => void;
  readonly col2im: (...args: number[]) => void;
  readonly im2col: (...args: number[]) => void;
  readonly adam: (...args: number[]) => void;
  /** Whether this build uses fused multiply-add. */
  readonly fma: boolean;
}

const instances = new WeakMap<WebAssembly.Memory, TrainKernels | null>();

const instantiate = (memory: WebAssembly.Memory, base64: string, fma: boolean) => {
  const bytes = decodeBase64(base64);
  if (!bytes) return null;
  try {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {
      env: { memory },
    });
    return { ...(inst.exports as unknown as Omit<TrainKernels, "fma" | "memory">), memory, fma };
  } catch {
    return null;
  }
};

/** The training kernels bound to a wasm backend's memory, or null where they cannot run. */
export const trainKernelsOf = (backend: WasmBackendLike): TrainKernels | null => {
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  let k = instances.get(memory);
  if (k === undefined) {
    k = instantiate(memory, TRAIN_WASM_FMA, true) ?? instantiate(memory, TRAIN_WASM_PLAIN, false);
    instances.set(memory, k);
  }
  return k;
};
