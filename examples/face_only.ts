/**
 * A faster cascade without ONet: boxes and confidences, no landmarks.
 *
 *   deno run --allow-read --allow-ffi --allow-env --allow-sys examples/face_only.ts photo.jpg
 */
import { createDetector, loadDefaultWeights, useBackend } from "../mod.ts";

const path = Deno.args[0];
if (!path) {
  console.error("usage: give the path of an image");
  Deno.exit(2);
}
await useBackend("auto")();
const weights = await loadDefaultWeights();
if (weights._tag === "Left") throw new Error(weights.left.message);
const detector = createDetector(weights.right, { cascade: "faceOnly", minFaceSize: 40 });
if (detector._tag === "Left") throw new Error(detector.left.message);
const result = await detector.right.detect(path);
if (result._tag === "Right") {
  console.log(
    JSON.stringify(result.right.faces.map((f) => ({ box: f.box, confidence: f.confidence }))),
  );
} else console.error(`error: ${result.left.message}`);
detector.right.dispose();
