/**
 * Our convolution kernels' WebAssembly module, instantiated once per tfjs-wasm memory (it works in
 * the backend's own heap): with fused multiply-add (relaxed SIMD) where the runtime compiles it,
 * plain SIMD otherwise.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { decodeBase64 } from "../base64.ts";
import { CONV_WASM_FMA, CONV_WASM_PLAIN } from "./conv_wasm_data.ts";

/** What we use of tfjs-wasm's backend object (internal, stable across 4.x). */
export interface WasmBackendLike {
  readonly wasm: {
    readonly asm?: { readonly memory?: WebAssembly.Memory };
    readonly wasmMemory?: WebAssembly.Memory;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  readonly dataIdMap: { get(id: unknown): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

/** Where a tensor's data starts in the backend's wasm memory (undefined if it has none). */
export const offsetOf = (backend: WasmBackendLike, t: tf.TensorInfo): number | undefined =>
  backend.dataIdMap.get(t.dataId)?.memoryOffset;

/** Number of elements of a shape. */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Whether every tensor holds float32. */
export const floats = (...ts: tf.TensorInfo[]): boolean => ts.every((t) => t.dtype === "float32");

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

/** A larger Winograd tile's filter transform: g (HWIO 3x3) into u, with tmp as scratch. */
type WinoTileFilterFn = (
  g: number,
  ci: number,
  co: number,
  coPad: number,
  u: number,
  tmp: number,
) => void;

/** Bytes of scratch a larger Winograd tile needs after the transformed filter for `tiles` tiles. */
type WinoTileScratchFn = (ci: number, coPad: number, tiles: number) => number;

export interface Kernels {
  readonly memory: WebAssembly.Memory;
  /** Pixel-first direct kernels by vector count (index 1 to 4). */
  readonly conv: readonly ConvFn[];
  /** Weight-first direct kernels by vector count (index 1 to 4): more pixels per step. */
  readonly convw: readonly ConvFn[];
  readonly wino: WinoFn;
  readonly winoFilter: (g: number, ci: number, co: number, coPad: number, u: number) => void;
  /** Bytes of scratch wino needs after the transformed filter. */
  readonly winoScratch: (ci: number, coPad: number) => number;
  /** Winograd F(3x3, 3x3): same arguments as wino. */
  readonly wino3: WinoFn;
  /** The F(3x3) filter transform; tmp: 240 + 100 * coPad bytes of scratch. */
  readonly wino3Filter: WinoTileFilterFn;
  /** Bytes of scratch wino3 needs after the transformed filter for `tiles` 3x3 output tiles. */
  readonly wino3Scratch: WinoTileScratchFn;
  /** Winograd F(4x4, 3x3): same arguments as wino. */
  readonly wino4: WinoFn;
  /** The F(4x4) filter transform; tmp: 288 + 144 * coPad bytes of scratch. */
  readonly wino4Filter: WinoTileFilterFn;
  /** Bytes of scratch wino4 needs after the transformed filter for `tiles` 4x4 output tiles. */
  readonly wino4Scratch: WinoTileScratchFn;
  readonly fma: boolean;
  /**
   * Turns the weight-first kernels' shuffled loads on (1, the default) or off (0): the same bits
   * either way (tests/conv_shuffle_test.ts); for tests and benchmarks.
   */
  readonly setShuffled: (on: number) => void;
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
    const convw = [e.convw1, e.convw1, e.convw2, e.convw3, e.convw4] as ConvFn[];
    return {
      memory,
      conv,
      convw,
      wino: e.wino as WinoFn,
      winoFilter: e.winoFilter as Kernels["winoFilter"],
      winoScratch: e.winoScratch as Kernels["winoScratch"],
      wino3: e.wino3 as WinoFn,
      wino3Filter: e.wino3Filter as Kernels["wino3Filter"],
      wino3Scratch: e.wino3Scratch as Kernels["wino3Scratch"],
      wino4: e.wino4 as WinoFn,
      wino4Filter: e.wino4Filter as Kernels["wino4Filter"],
      wino4Scratch: e.wino4Scratch as Kernels["wino4Scratch"],
      fma: false,
      setShuffled: e.setShuffled as Kernels["setShuffled"],
    };
  } catch {
    return null;
  }
};

/** The kernels bound to a wasm backend's memory, or null where they cannot run. */
export const kernelsOf = (backend: WasmBackendLike): Kernels | null => {
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

/** Output pixels per step of the pixel-first kernels (scripts/kernels/direct.ts, PIXELS). */
const PIXELS = [0, 6, 4, 3, 3];
/** Output pixels per step of the weight-first kernels (scripts/kernels/direct.ts, PIXELS_W). */
const PIXELS_W = [0, 7, 6, 4, 2];

/**
 * Whether the weight-first kernel of `v` vectors suits rows of `wo` output pixels: its larger
 * steps pay unless they leave more pixel slots idle at a row's end (e.g. 4 for a 3-pixel row).
 */
export const weightsFirst = (v: number, wo: number): boolean =>
  Math.ceil(wo / PIXELS_W[v]) * PIXELS_W[v] <= Math.ceil(wo / PIXELS[v]) * PIXELS[v];
