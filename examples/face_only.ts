/**
 * A faster cascade without ONet: boxes and confidences, no landmarks.
 *
 *   deno run --allow-read --allow-ffi --allow-env --allow-sys examples/face_only.ts photo.jpg
 */
import { createDetector } from "../mod.ts";

const path = Deno.args[0] ?? "fixtures/faces/group_640x480.jpg";
const detector = await createDetector({ cascade: "faceOnly", minFaceSize: 40 });
if (detector._tag === "Left") throw new Error(detector.left.message);
const result = await detector.right.detect(path);
if (result._tag === "Right") {
  console.log(
    JSON.stringify(result.right.faces.map((f) => ({ box: f.box, confidence: f.confidence }))),
  );
} else console.error(`error: ${result.left.message}`);
detector.right.dispose();
