/**
 * The PyTorch detection anchor (bench/torch_mtcnn.py through bench/torch_mtcnn.ts) gives
 * facenet-pytorch's faces and its measurement lines. Needs `../shared` and Debian's
 * python3-torch; skipped with a message otherwise.
 */
import { assert, assertEquals } from "./_assert.ts";
import { HAS_SHARED, noteSharedSkip, sharedData } from "./_shared.ts";
import { findTorchAnchor, runTorchMtcnn, type TorchAnchor } from "../bench/torch_mtcnn.ts";

noteSharedSkip("torch_mtcnn_test.ts");
const anchor: TorchAnchor = HAS_SHARED
  ? await findTorchAnchor()
  : { missing: "../shared is absent" };
if ("missing" in anchor) console.warn(`torch_mtcnn_test.ts skipped: ${anchor.missing}`);
const ignore = "missing" in anchor;

Deno.test({
  name: "torch anchor: detect gives facenet-pytorch's own face on ivan.jpg and none on no-faces",
  ignore,
  fn: async () => {
    if ("missing" in anchor) return;
    const ref = JSON.parse(
      await Deno.readTextFile(sharedData("reference/facenet_pytorch.json")),
    ).images["peer_tests/ivan.jpg"].faces;
    const lines = await runTorchMtcnn(anchor, [
      "detect",
      sharedData("peer_tests/ivan.jpg"),
      sharedData("peer_tests/no-faces.jpg"),
      "--threads",
      "1",
    ]);
    assertEquals(lines.map((l) => l.mode), ["faces", "faces"]);
    const [ivan, none] = lines;
    if (ivan.mode !== "faces" || none.mode !== "faces") throw new Error("not face lines");
    assertEquals(none.faces.length, 0);
    assertEquals(ivan.faces.length, ref.length);
    const [ours, theirs] = [ivan.faces[0], ref[0]];
    // The reference is rounded to 1e-3 px and 1e-6 in score.
    ours.box.forEach((v, i) => assert(Math.abs(v - theirs.box[i]) < 2e-3, `box ${i}: ${v}`));
    ours.landmarks.flat().forEach((v, i) =>
      assert(Math.abs(v - theirs.landmarks.flat()[i]) < 2e-3, `landmark ${i}: ${v}`)
    );
    assert(Math.abs(ours.score - theirs.score) < 2e-6, `score ${ours.score}`);
  },
});

Deno.test({
  name: "torch anchor: throughput prints one line with the images, faces and timings",
  ignore,
  fn: async () => {
    if ("missing" in anchor) return;
    const dir = sharedData("wider_val_416/images");
    const lines = await runTorchMtcnn(anchor, [
      "throughput",
      dir,
      "--limit",
      "3",
      "--batch",
      "2",
      "--threads",
      "1",
    ]);
    assertEquals(lines.length, 1);
    const t = lines[0];
    if (t.mode !== "throughput") throw new Error(`a ${t.mode} line`);
    assertEquals([t.images, t.batch, t.threads], [3, 2, 1]);
    assert(t.faces > 0, "the first three wider_val_416 images have faces");
    assert(t.seconds > 0 && t.process_seconds > t.seconds, `${t.seconds} ${t.process_seconds}`);
    assert(Math.abs(t.images_per_s - 3 / t.seconds) < 0.05 * t.images_per_s);
  },
});
