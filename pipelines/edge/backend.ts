/**
 * Choosing and starting the tfjs backend. The wasm backend (SIMD) is 15-20x faster than cpu on
 * our machines, so it is the default where it loads; cpu is the fallback.
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
import type { TaskResult } from "../../lib/result.ts";

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
      installWasmConvKernels();
    }
    // The WebGPU backend is loaded only when asked for and when a GPU adapter exists.
    if (name === "webgpu") await import("@tensorflow/tfjs-backend-webgpu");
    return await tf.setBackend(name);
  } catch {
    return false;
  }
};

/**
 * Starts the requested backend and makes it current. `auto` tries wasm, then cpu. Returns the
 * name of the backend in use. A backend that is already current is kept as it is.
 *
 * @example
 * ```ts
 * import { useBackend } from "@mtcnn/mtcnn";
 * const r = await useBackend("auto")();
 * if (r._tag === "Right") console.log(r.right); // "wasm" where it loads
 * ```
 */
export const useBackend =
  (name: BackendName = "auto"): TaskResult<MtcnnError, string> => async () => {
    if (name === "webgpu") {
      const why = await webgpuMissing();
      if (why) return E.left(mtcnnError("BackendError", `backend webgpu is not available: ${why}`));
    }
    const order = name === "auto" ? ["wasm", "cpu"] : [name];
    const current = tf.engine().backendName as string | undefined;
    if (current && order.includes(current)) return E.right(current);
    for (const b of order) {
      try {
        if (await tryBackend(b)) {
          await tf.ready();
          // Production mode: no debug checks, and no advice to install tfjs-node.
          tf.enableProdMode();
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
