/**
 * Test helpers: where `../shared` is, and a detector on the default weights.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createDetector, type Detector, type DetectorOptions, useBackend } from "../mod.ts";
import { loadDefaultWeights, type MtcnnWeights } from "../weights.ts";

/** Absolute path of the shared data folder beside the project. */
export const SHARED_DIR: string = fileURLToPath(new URL("../../shared/", import.meta.url));

/** True when `../shared/data` is present (developers and CI); a user's clone has none. */
export const HAS_SHARED: boolean = existsSync(SHARED_DIR + "data");

/** A path under `../shared/data`. */
export const sharedData = (rel: string): string => SHARED_DIR + "data/" + rel;

/** Prints once, per test file, why tests that need `../shared` are skipped. */
export const noteSharedSkip = (file: string): void => {
  if (!HAS_SHARED) {
    console.warn(`${file}: ../shared/data is absent: tests that need its real data are skipped`);
  }
};

/** The default weights (fails the test if they are damaged). */
export const defaultWeights = async (): Promise<MtcnnWeights> => {
  const w = await loadDefaultWeights();
  if (w._tag === "Left") throw new Error(w.left.message);
  return w.right;
};

/** Starts the backend (wasm where it loads) and makes a detector on the default weights. */
export const makeDetector = async (options: DetectorOptions = {}): Promise<Detector> => {
  const b = await useBackend((Deno.env.get("MTCNN_BACKEND") ?? "auto") as "auto");
  if (b._tag === "Left") throw new Error(b.left.message);
  const d = await createDetector({ weights: await defaultWeights(), ...options });
  if (d._tag === "Left") throw new Error(d.left.message);
  return d.right;
};
