/**
 * Choosing and starting the tfjs backend in a browser, in place of `../backend.ts` in the browser
 * bundle. Same backends and the same `useBackend`; the tfjs wasm files are fetched from the
 * folder of the bundle (`import.meta.url`), or from the folder given to `setWasmLocation`.
 * tfjs picks `tfjs-backend-wasm-simd.wasm` where WebAssembly SIMD exists (one thread: the page
 * is not cross-origin isolated), and our SIMD kernels are installed on top, as in Deno.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../../../lib/errors.ts";
import { installWasmConvKernels } from "../../../lib/kernels/wasm_conv.ts";
import type { Result } from "../../../lib/result.ts";
import { registerWasmGradKernels } from "../../train/wasm_grad_kernels.ts";

/** Backends this library can start; `auto` is wasm with cpu as fallback. */
export type BackendName = "auto" | "wasm" | "cpu" | "webgpu";

let wasmFolder: string | undefined;
let wasmPathsSet = false;

/**
 * Where the tfjs wasm files (`tfjs-backend-wasm*.wasm`) are served, as a folder URL ending in
 * `/`. Default: the folder of the bundle. Call before `useBackend`.
 */
export const setWasmLocation = (folder: string | URL): void => {
  wasmFolder = String(folder);
  wasmPathsSet = false;
};

const setWasmFolder = (): void => {
  if (wasmPathsSet) return;
  const folder = wasmFolder ?? new URL("./", import.meta.url).href;
  setWasmPaths(folder.endsWith("/") ? folder : folder + "/");
  wasmPathsSet = true;
};

/** The bytes of a minimal module with one SIMD instruction (v128.const), to test for SIMD. */
const SIMD_PROBE = new Uint8Array([
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  22,
  1,
  20,
  0,
  253,
  12,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  11,
]);

/** Whether this runtime compiles WebAssembly SIMD (tfjs's fast wasm build and our kernels). */
export const hasWasmSimd = (): boolean => {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
};

/** Why WebGPU cannot run here, or undefined when an adapter exists. */
export const webgpuMissing = async (): Promise<string | undefined> => {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return "this browser has no WebGPU (navigator.gpu)";
  try {
    return (await gpu.requestAdapter()) ? undefined : "no WebGPU adapter";
  } catch (e) {
    return `no WebGPU adapter (${describe(e)})`;
  }
};

const tryBackend = async (name: string): Promise<boolean> => {
  try {
    if (name === "wasm") setWasmFolder();
    // The WebGPU backend is a chunk of its own, fetched only when asked for.
    if (name === "webgpu") await import("@tensorflow/tfjs-backend-webgpu");
    const ok = await tf.setBackend(name);
    if (ok && name === "wasm") {
      installWasmConvKernels();
      registerWasmGradKernels();
    }
    return ok;
  } catch {
    return false;
  }
};

/**
 * Starts the requested backend and makes it current. `auto` tries wasm, then cpu. Resolves to
 * the name of the backend in use. Starting wasm installs this library's kernels, as in Deno.
 */
export const useBackend = async (
  name: BackendName = "auto",
): Promise<Result<MtcnnError, string>> => {
  if (!["auto", "wasm", "cpu", "webgpu"].includes(name)) {
    return E.left(mtcnnError(
      "OptionError",
      `backend must be "auto", "wasm", "cpu" or "webgpu", got ${JSON.stringify(name)}`,
    ));
  }
  if (name === "webgpu") {
    const why = await webgpuMissing();
    if (why) return E.left(mtcnnError("BackendError", `backend webgpu is not available: ${why}`));
  }
  const order = name === "auto" ? ["wasm", "cpu"] : [name];
  const current = tf.engine().backendName as string | undefined;
  if (current && order.includes(current)) {
    if (current === "wasm") {
      installWasmConvKernels();
      registerWasmGradKernels();
    }
    return E.right(current);
  }
  for (const b of order) {
    try {
      if (await tryBackend(b)) {
        await tf.ready();
        return E.right(tf.getBackend());
      }
    } catch (e) {
      if (name !== "auto") {
        return E.left(mtcnnError("BackendError", `backend ${b} failed: ${describe(e)}`, e));
      }
    }
  }
  return E.left(
    mtcnnError("BackendError", `backend ${name} is not available here (it failed to start)`),
  );
};

/**
 * The backend in use, started with {@linkcode useBackend} when `name` is given or when no
 * backend was chosen yet (`auto`); a backend the caller chose is kept.
 */
export const ensureBackend = (name?: BackendName): Promise<Result<MtcnnError, string>> => {
  if (name !== undefined) return useBackend(name);
  const current = tf.engine().backendName as string | undefined;
  return current ? Promise.resolve(E.right(current)) : useBackend("auto");
};

/** Switches tfjs to production mode (no debug checks), as the Deno edge does. */
export const enableProductionMode = (): void => tf.enableProdMode();
