/**
 * Aligned faces for recognition: detect, then warp each face onto the 112x112 ArcFace
 * five-point template and save it as PNG.
 *
 *   deno run --allow-read --allow-write --allow-ffi --allow-env --allow-sys examples/align.ts photo.jpg out/
 */
import { join } from "node:path";
import { createDetector } from "../mod.ts";
import { alignFace, rgbToImage } from "../align.ts";

const [path = "fixtures/faces/group_640x480.jpg", outDir = "aligned"] = Deno.args;
const detector = await createDetector();
if (detector._tag === "Left") throw new Error(detector.left.message);
const result = await detector.right.detect(path, { keepImage: true });
detector.right.dispose();
if (result._tag === "Left") {
  console.error(`error: ${result.left.message}`);
  Deno.exit(1);
}
const { faces, image } = result.right;
await Deno.mkdir(outDir, { recursive: true });
for (const [i, face] of faces.entries()) {
  if (!face.keypoints || !image) continue;
  const aligned = alignFace(image, face.keypoints, { size: 112 });
  if (aligned._tag === "Left") {
    console.error(`face ${i}: ${aligned.left.message}`);
    continue;
  }
  // Written beside, then renamed: a reader never sees half a file.
  const file = join(outDir, `face_${i}.png`);
  await Deno.writeFile(file + ".tmp", await rgbToImage(aligned.right.image).encode());
  await Deno.rename(file + ".tmp", file);
  console.log(`${file}: confidence ${face.confidence.toFixed(3)}`);
}
