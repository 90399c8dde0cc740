/**
 * Choosing and starting a tfjs backend, the same in every runtime: the runtime's edge (Deno's
 * `pipelines/edge/backend.ts`, the browser's `pipelines/edge/browser/backend.ts`) only says where
 * tfjs's `.wasm` files are. Starting wasm installs this library's own kernels (convolutions and
 * max pool, the gradient kernels training needs), process-wide and once.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../lib/errors.ts";
import { installWasmConvKernels } from "../lib/kernels/wasm_conv.ts";
import { installWasmMaxPool } from "../lib/kernels/wasm_pool.ts";
import { installWasmConvPool } from "../lib/kernels/wasm_conv_pool.ts";
import type { Result } from "../lib/result.ts";
import { registerWasmGradKernels } from "./train/wasm_grad_kernels.ts";

/**
 * Backends this library can start: `auto` is wasm with cpu as fallback; `webgpu` needs a GPU
 * adapter (none on our CI machines) and loads `@tensorflow/tfjs-backend-webgpu` on demand.
 */
export type BackendName = "auto" | "wasm" | "cpu" | "webgpu";

/** Our kernels on tfjs's wasm backend: installed once, whoever started it. */
const installKernels = (): void => {
  installWasmConvKernels();
  installWasmMaxPool();
  installWasmConvPool();
  registerWasmGradKernels();
};

/** Why WebGPU cannot run here, or undefined when an adapter exists. */
export const webgpuMissing = async (): Promise<string | undefined> => {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return "this runtime has no WebGPU (navigator.gpu)";
  try {
    return (await gpu.requestAdapter()) ? undefined : "no WebGPU adapter (no GPU on this machine)";
  } catch (e) {
    return `no WebGPU adapter (${describe(e)})`;
  }
};

/** Starts one backend: `locateWasm` first for wasm, the WebGPU module loaded only when asked. */
const start = async (name: string, locateWasm: () => void): Promise<boolean> => {
  try {
    if (name === "wasm") locateWasm();
    if (name === "webgpu") await import("@tensorflow/tfjs-backend-webgpu");
    const ok = await tf.setBackend(name);
    if (ok && name === "wasm") installKernels();
    return ok;
  } catch {
    return false;
  }
};

/**
 * Starts the requested backend and makes it current. `auto` tries wasm, then cpu; a backend that
 * is already current and allowed is kept. `locateWasm` tells tfjs where its `.wasm` files are.
 */
export const chooseBackend = async (
  name: BackendName,
  locateWasm: () => void,
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
    if (current === "wasm") installKernels();
    return E.right(current);
  }
  for (const b of order) {
    try {
      if (await start(b, locateWasm)) {
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
 * The backend in use, started with `use` (the runtime's `useBackend`) when `name` is given or
 * when no backend was chosen yet (`auto`); a backend the caller chose is kept.
 */
export const ensureBackendWith = (
  use: (name: BackendName) => Promise<Result<MtcnnError, string>>,
  name?: BackendName,
): Promise<Result<MtcnnError, string>> => {
  if (name !== undefined) return use(name);
  const current = tf.engine().backendName as string | undefined;
  return current ? Promise.resolve(E.right(current)) : use("auto");
};

/**
 * Switches tfjs to production mode, process-wide: no debug checks, and no advice on stderr to
 * install tfjs-node. The command line calls it; the library never does.
 */
export const enableProductionMode = (): void => tf.enableProdMode();
