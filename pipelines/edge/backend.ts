/**
 * Choosing and starting the tfjs backend. The wasm backend (SIMD) is 15-20x faster than cpu on
 * our machines, so it is the default where it loads; cpu is the fallback.
 *
 * Starting the wasm backend here is also what installs this library's own WebAssembly SIMD
 * kernels (convolutions, and the gradient kernels training needs): they replace tfjs-wasm's
 * `Conv2D`, `FusedConv2D`, `Conv2DBackpropInput` and `MaxPoolGrad` and add
 * `Conv2DBackpropFilter`, process-wide, once. A wasm backend started by other code (plain
 * `tf.setBackend("wasm")`) runs tfjs's own kernels until `useBackend("wasm")` is called.
 *
 * @module
 */
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { MtcnnError } from "../../lib/errors.ts";
import type { Result } from "../../lib/result.ts";
import { type BackendName, chooseBackend, ensureBackendWith } from "../backend_choice.ts";

export type { BackendName } from "../backend_choice.ts";

let wasmPathsSet = false;

/** tfjs takes Deno for Node and reads the .wasm files with fs: it needs their absolute folder. */
const setWasmFolder = (): void => {
  if (wasmPathsSet) return;
  const entry = import.meta.resolve("@tensorflow/tfjs-backend-wasm");
  if (!entry.startsWith("file:")) {
    throw new Error(`cannot locate the tfjs wasm files (resolved to ${entry})`);
  }
  setWasmPaths(dirname(fileURLToPath(entry)) + "/");
  wasmPathsSet = true;
};

/**
 * Starts the requested backend and makes it current, process-wide (tfjs has one current
 * backend). `auto` tries wasm, then cpu. Resolves to the name of the backend in use. Starting
 * wasm installs this library's kernels (see the module doc); calling it again is cheap.
 * `createDetector` calls it with `auto` when no backend was chosen yet.
 *
 * @example
 * ```ts
 * import { useBackend } from "@mtcnn/mtcnn";
 * const r = await useBackend("auto");
 * if (r._tag === "Right") console.log(r.right); // "wasm" where it loads
 * ```
 */
export const useBackend = (name: BackendName = "auto"): Promise<Result<MtcnnError, string>> =>
  chooseBackend(name, setWasmFolder);

/**
 * The backend in use, started with {@linkcode useBackend} when `name` is given or when no
 * backend was chosen yet (`auto`); a backend the caller chose is kept.
 */
export const ensureBackend = (name?: BackendName): Promise<Result<MtcnnError, string>> =>
  ensureBackendWith(useBackend, name);

export { enableProductionMode } from "../backend_choice.ts";
