/**
 * Aligned faces for recognition: detect, then warp each face onto the 112x112 ArcFace
 * five-point template and save it as PNG.
 *
 *   deno run --allow-read --allow-write --allow-ffi --allow-env --allow-sys examples/align.ts photo.jpg out/
 */
import { join } from "node:path";
import {
  alignFace,
  createDetector,
  loadDefaultWeights,
  loadImage,
  rgbToImage,
  useBackend,
  writeFileAtomic,
} from "../mod.ts";

const [path, outDir = "aligned"] = Deno.args;
if (!path) {
  console.error("usage: give the path of an image (and an output folder)");
  Deno.exit(2);
}
await useBackend("auto")();
const weights = await loadDefaultWeights();
if (weights._tag === "Left") throw new Error(weights.left.message);
const detector = createDetector(weights.right);
if (detector._tag === "Left") throw new Error(detector.left.message);

const image = await loadImage(path)();
if (image._tag === "Left") {
  console.error(`error: ${image.left.message}`);
  Deno.exit(1);
}
const result = await detector.right.detect(image.right);
detector.right.dispose();
if (result._tag === "Left") {
  console.error(`error: ${result.left.message}`);
  Deno.exit(1);
}
await Deno.mkdir(outDir, { recursive: true });
for (const [i, face] of result.right.faces.entries()) {
  if (!face.keypoints) continue;
  const aligned = alignFace(image.right, face.keypoints, { size: 112 });
  if (aligned._tag === "Left") {
    console.error(`face ${i}: ${aligned.left.message}`);
    continue;
  }
  const file = join(outDir, `face_${i}.png`);
  await writeFileAtomic(file, await rgbToImage(aligned.right.image).encode());
  console.log(`${file}: confidence ${face.confidence.toFixed(3)}`);
}
