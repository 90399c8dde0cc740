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
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as E from "fp-ts/Either.js";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import { installWasmConvKernels } from "../../lib/kernels/wasm_conv.ts";
import type { Result } from "../../lib/result.ts";
import { registerWasmGradKernels } from "../train/wasm_grad_kernels.ts";

/**
 * Backends this library can start: `auto` is wasm with cpu as fallback; `webgpu` needs a GPU
 * adapter (none on our CI machines) and loads `@tensorflow/tfjs-backend-webgpu` on demand.
 */
export type BackendName = "auto" | "wasm" | "cpu" | "webgpu";

let wasmPathsSet = false;

const setWasmFolder = (): void => {
  if (wasmPathsSet) return;
  // tfjs takes Deno for Node and reads the .wasm files with fs: it needs their absolute folder.
  const entry = import.meta.resolve("@tensorflow/tfjs-backend-wasm");
  if (!entry.startsWith("file:")) {
    throw new Error(`cannot locate the tfjs wasm files (resolved to ${entry})`);
  }
  setWasmPaths(dirname(fileURLToPath(entry)) + "/");
  wasmPathsSet = true;
};

/** Why WebGPU cannot run here, or undefined when an adapter exists. */
const webgpuMissing = async (): Promise<string | undefined> => {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return "this runtime has no WebGPU (navigator.gpu)";
  try {
    return (await gpu.requestAdapter()) ? undefined : "no WebGPU adapter (no GPU on this machine)";
  } catch (e) {
    return `no WebGPU adapter (${describe(e)})`;
  }
};

const tryBackend = async (name: string): Promise<boolean> => {
  try {
    if (name === "wasm") {
      setWasmFolder();
    }
    // The WebGPU backend is loaded only when asked for and when a GPU adapter exists.
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
    mtcnnError(
      "BackendError",
      `backend ${name} is not available here (${
        name === "webgpu" ? "no WebGPU adapter" : "it failed to start"
      })`,
    ),
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

/**
 * Switches tfjs to production mode, process-wide: no debug checks, and no advice on stderr to
 * install tfjs-node. The command line calls it; the library never does.
 */
export const enableProductionMode = (): void => tf.enableProdMode();
