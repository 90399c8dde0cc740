import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import {
  encodeNetWeights,
  runCascade,
  stageONet,
  stagePNet,
  stageRNet,
  useBackend,
} from "../mod.ts";
import { defaultWeights, HAS_SHARED, makeDetector, noteSharedSkip, sharedData } from "./_shared.ts";

noteSharedSkip("weight_stages_test.ts");

Deno.test({
  name: "stagePNet/RNet/ONet from .lz4 files, bytes and records give the default detector's faces",
  ignore: !HAS_SHARED,
  fn: async () => {
    await useBackend("auto")();
    const w = await defaultWeights();
    const rnetBytes = encodeNetWeights(w.rnet, { compress: true });
    assert(rnetBytes._tag === "Right");
    const before = tf.memory().numTensors;
    const p = await stagePNet(sharedData("mtcnn_lz4_weights/pnet.lz4"))();
    const r = await stageRNet(rnetBytes.right)();
    const o = await stageONet(w.onet)();
    assert(p._tag === "Right" && r._tag === "Right" && o._tag === "Right");
    const image = sharedData("peer_tests/faceapi_faces.jpg");
    const ours = await runCascade([p.right.stage, r.right.stage, o.right.stage])(image)();
    for (const s of [p, r, o]) s.right.dispose();
    assertEquals(tf.memory().numTensors, before);
    const d = await makeDetector();
    const reference = await d.detect(image);
    d.dispose();
    assert(ours._tag === "Right" && reference._tag === "Right");
    assertEquals(ours.right.faces, reference.right.faces);
  },
});

Deno.test({
  name: "a stage refuses another network's weights with an error naming the layer",
  ignore: !HAS_SHARED,
  fn: async () => {
    const r = await stagePNet(sharedData("mtcnn_lz4_weights/rnet.lz4"))();
    assert(r._tag === "Left" && r.left._tag === "WeightsError", JSON.stringify(r));
    const missing = await stageONet("/no/such/onet.lz4")();
    assert(missing._tag === "Left" && missing.left.message.includes("onet.lz4"));
  },
});

Deno.test({
  name: "detect --onet-weights uses a weight file given on the command line",
  ignore: !HAS_SHARED,
  fn: async () => {
    const cli = new URL("../cli.ts", import.meta.url).pathname;
    const run = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", cli, "detect", "--workers", "0", ...args],
        stdout: "piped",
        stderr: "piped",
      }).output();
      return { code: out.code, text: new TextDecoder().decode(out.stdout) };
    };
    const image = sharedData("peer_tests/ivan.jpg");
    const a = await run("--onet-weights", sharedData("mtcnn_lz4_weights/onet.lz4"), image);
    const b = await run(image);
    assertEquals(a.code, 0);
    assertEquals(a.text, b.text);
    const bad = await run("--pnet-weights", sharedData("mtcnn_lz4_weights/onet.lz4"), image);
    assertEquals(bad.code, 1);
  },
});
