/**
 * Running a test body on the cpu backend or on wasm with our training kernels, for the tests
 * that compare the two.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../mod.ts";
import { registerWasmGradKernels } from "../pipelines/train/wasm_grad_kernels.ts";

/** A 4-D shape. */
export type Shape4 = [number, number, number, number];

/** Switches to `name` (wasm with our gradient kernels registered), then runs `f`. */
export const onBackend = async <T>(name: "cpu" | "wasm", f: () => T): Promise<T> => {
  if (name === "cpu") await tf.setBackend("cpu");
  else {
    const r = await useBackend("wasm");
    if (r._tag === "Left") throw new Error(r.left.message);
    registerWasmGradKernels();
    await tf.setBackend("wasm");
  }
  return f();
};
