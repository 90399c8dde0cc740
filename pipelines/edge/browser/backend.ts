/**
 * Choosing and starting the tfjs backend in a browser, in place of `../backend.ts` in the browser
 * bundle. Same backends and the same `useBackend`; the tfjs wasm files are fetched from the
 * folder of the bundle (`import.meta.url`), or from the folder given to `setWasmLocation`.
 * tfjs picks `tfjs-backend-wasm-simd.wasm` where WebAssembly SIMD exists (one thread: the page
 * is not cross-origin isolated), and our SIMD kernels are installed on top, as in Deno.
 *
 * @module
 */
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { MtcnnError } from "../../../lib/errors.ts";
import type { Result } from "../../../lib/result.ts";
import { type BackendName, chooseBackend, ensureBackendWith } from "../../backend_choice.ts";

export type { BackendName } from "../../backend_choice.ts";

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

export { webgpuMissing } from "../../backend_choice.ts";

/**
 * Starts the requested backend and makes it current. `auto` tries wasm, then cpu. Resolves to
 * the name of the backend in use. Starting wasm installs this library's kernels, as in Deno; the
 * `.wasm` files are loaded from the bundle's folder (or {@linkcode setWasmLocation}'s).
 */
export const useBackend = (name: BackendName = "auto"): Promise<Result<MtcnnError, string>> =>
  chooseBackend(name, setWasmFolder);

/**
 * The backend in use, started with {@linkcode useBackend} when `name` is given or when no
 * backend was chosen yet (`auto`); a backend the caller chose is kept.
 */
export const ensureBackend = (name?: BackendName): Promise<Result<MtcnnError, string>> =>
  ensureBackendWith(useBackend, name);

export { enableProductionMode } from "../../backend_choice.ts";
