/**
 * The simplest use: faces of one image with the embedded pretrained weights.
 *
 *   deno run --allow-read --allow-ffi --allow-env --allow-sys examples/detect.ts photo.jpg
 */
import { createDetector } from "../mod.ts";

const path = Deno.args[0] ?? "fixtures/faces/ivan.jpg";
const detector = await createDetector();
if (detector._tag === "Left") throw new Error(detector.left.message);
const result = await detector.right.detect(path);
if (result._tag === "Left") {
  console.error(`error: ${result.left.message}`);
  Deno.exitCode = 1;
} else {
  for (const face of result.right.faces) {
    const [x, y, w, h] = face.box.map(Math.round);
    console.log(`face at ${x},${y} ${w}x${h}, confidence ${face.confidence.toFixed(3)}`);
    console.log("  eyes", face.keypoints?.left_eye, face.keypoints?.right_eye);
  }
}
detector.right.dispose();
