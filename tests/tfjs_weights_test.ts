import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { left, right } from "./_weights_io.ts";
import { faceApiWeightsDir } from "./_build_tools.ts";
import {
  anyNetWeightsFromTfjs,
  netWeightsFromTfjs,
  netWeightsToTfjs,
} from "../lib/codecs/tfjs_net_weights.ts";
import {
  decodeTfjsTensors,
  encodeTfjsTensors,
  loadDefaultWeights,
  NET_SPECS,
  type NetName,
  parseTfjsManifest,
  type TfjsManifest,
} from "../weights.ts";
import type { NetWeights } from "../weights.ts";

tf.enableProdMode(); // no advice to install tfjs-node in the test output
const NETS: readonly NetName[] = ["pnet", "rnet", "onet"];
const defaults = right(await loadDefaultWeights());

const sameWeights = (a: NetWeights<NetName>, b: NetWeights<NetName>, what: string) => {
  assertEquals(a.net, b.net, what);
  for (const p of NET_SPECS[a.net]) {
    const x = (a.params as Record<string, Float32Array>)[p.name];
    const y = (b.params as Record<string, Float32Array>)[p.name];
    assert(x.length === y.length && x.every((v, i) => v === y[i]), `${what} ${p.name}`);
  }
};

const shardMap = (files: { shards: readonly { path: string; bytes: Uint8Array }[] }) =>
  new Map(files.shards.map((s) => [s.path, s.bytes]));

Deno.test("tfjs weights in our naming round-trip for every network", () => {
  for (const net of NETS) {
    const files = encodeTfjsTensors(netWeightsToTfjs(defaults[net]), net);
    assertEquals(files.manifest[0].weights[0].name, `${net}/conv1/kernel`);
    assertEquals(files.shards.map((s) => s.path), [`${net}-shard1of1.bin`]);
    const json = JSON.stringify(files.manifest);
    const named = right(decodeTfjsTensors(right(parseTfjsManifest(json)), shardMap(files)));
    sameWeights(right(netWeightsFromTfjs(net, named)), defaults[net], net);
    assertEquals(right(anyNetWeightsFromTfjs(named)).net, net);
  }
});

Deno.test("our shards decode with tfjs's own tf.io.decodeWeights to the same tensors", async () => {
  const before = tf.memory().numTensors;
  const files = encodeTfjsTensors(netWeightsToTfjs(defaults.rnet), "rnet");
  const bytes = files.shards[0].bytes;
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const specs = files.manifest[0].weights.map((w) => ({
    name: w.name,
    shape: [...w.shape],
    dtype: "float32" as const,
  }));
  const tensors = tf.io.decodeWeights(buffer as ArrayBuffer, specs);
  try {
    for (const p of NET_SPECS.rnet) {
      const t = tensors[`rnet/${p.name}`];
      assertEquals(t.shape, [...p.shape], p.name);
      const want = (defaults.rnet.params as Record<string, Float32Array>)[p.name];
      assertEquals(await t.data(), want, p.name);
    }
  } finally {
    tf.dispose(Object.values(tensors));
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("face-api.js's shipped manifest (all three nets) reads to the default weights", async () => {
  const dir = await faceApiWeightsDir();
  const manifest = right(
    parseTfjsManifest(await Deno.readTextFile(join(dir, "mtcnn_model-weights_manifest.json"))),
  );
  const paths = manifest.flatMap((g) => g.paths);
  const shards = new Map(
    await Promise.all(
      paths.map(async (p) => [p, await Deno.readFile(join(dir, p))] as const),
    ),
  );
  const named = right(decodeTfjsTensors(manifest, shards));
  assertEquals(named.size, 50);
  for (const net of NETS) sameWeights(right(netWeightsFromTfjs(net, named)), defaults[net], net);
  const e = left(anyNetWeightsFromTfjs(named));
  assert(e.message.includes("pnet, rnet, onet; name the network (--net)"), e.message);
  assertEquals(right(anyNetWeightsFromTfjs(named, "onet")).net, "onet");
});

Deno.test("face-api.js naming is written with its names and layouts and read back", () => {
  const tensors = netWeightsToTfjs(defaults.pnet, { faceApiNames: true });
  const byName = new Map(tensors.map((t) => [t.name, t]));
  assertEquals(byName.get("pnet/conv4_1/weights")?.shape, [1, 1, 32, 2]); // class head
  assertEquals(byName.get("pnet/prelu1_alpha")?.shape, [10]);
  const files = encodeTfjsTensors(tensors, "pnet");
  const named = right(decodeTfjsTensors(files.manifest, shardMap(files)));
  sameWeights(right(netWeightsFromTfjs("pnet", named)), defaults.pnet, "face-api pnet");
});

Deno.test("encodeTfjsTensors() splits shards at maxShardBytes", () => {
  const files = encodeTfjsTensors(netWeightsToTfjs(defaults.onet), "onet", 1 << 20);
  assertEquals(files.shards.map((s) => s.path), ["onet-shard1of2.bin", "onet-shard2of2.bin"]);
  assertEquals(files.shards[0].bytes.length, 1 << 20);
  const named = right(decodeTfjsTensors(files.manifest, shardMap(files)));
  sameWeights(right(netWeightsFromTfjs("onet", named)), defaults.onet, "two shards");
});

Deno.test("decodeTfjsTensors() reads tfjs's quantized weights (uint8, uint16, float16)", () => {
  const manifest: TfjsManifest = [{
    paths: ["q.bin"],
    weights: [
      {
        name: "u8",
        shape: [2],
        dtype: "float32",
        quantization: { dtype: "uint8", scale: 0.5, min: -1 },
      },
      { name: "f16", shape: [3], dtype: "float32", quantization: { dtype: "float16" } },
      {
        name: "u16",
        shape: [1],
        dtype: "float32",
        quantization: { dtype: "uint16", scale: 2, min: 0 },
      },
    ],
  }];
  // u8: 0, 4 -> -1, 1; f16: 1.0 (0x3c00), -2.5 (0xc100), 2^-24 (0x0001); u16: 300 -> 600
  const bytes = new Uint8Array([0, 4, 0x00, 0x3c, 0x00, 0xc1, 0x01, 0x00, 0x2c, 0x01]);
  const named = right(decodeTfjsTensors(manifest, new Map([["q.bin", bytes]])));
  assertEquals(named.get("u8")?.data, Float32Array.from([-1, 1]));
  assertEquals(named.get("f16")?.data, Float32Array.from([1, -2.5, 2 ** -24]));
  assertEquals(named.get("u16")?.data, Float32Array.from([600]));
});

Deno.test("tfjs manifests that do not fit their shards give a FormatError", () => {
  const w = (name: string, shape: number[], dtype = "float32") => ({ name, shape, dtype });
  const one = (weights: ReturnType<typeof w>[]): TfjsManifest => [{ paths: ["a.bin"], weights }];
  const shards = new Map([["a.bin", new Uint8Array(8)]]);
  const cases: [() => ReturnType<typeof decodeTfjsTensors>, string][] = [
    [() => decodeTfjsTensors(one([w("x", [2])]), new Map()), 'shard "a.bin" is missing'],
    [() => decodeTfjsTensors(one([w("x", [3])]), shards), "fewer than the weights need"],
    [() => decodeTfjsTensors(one([w("x", [1])]), shards), "the weights need 4"],
    [() => decodeTfjsTensors(one([w("x", [2], "int32")]), shards), "dtype int32"],
    [() => decodeTfjsTensors(one([w("x", [1]), w("x", [1])]), shards), "appears twice"],
    [() => decodeTfjsTensors(one([w("x", [2 ** 40])]), shards), "fewer than the weights need"],
  ];
  for (const [run, why] of cases) {
    const e = left(run());
    assertEquals(e._tag, "FormatError");
    assert(e.message.includes(why), `${why}: ${e.message}`);
  }
  assert(left(parseTfjsManifest("{")).message.includes("not JSON"));
  assert(left(parseTfjsManifest('{"a": 1}')).message.includes("weightsManifest"));
  assert(left(parseTfjsManifest('[{"paths": [1]}]')).message.includes("paths"));
  const model = '{"modelTopology": {}, "weightsManifest": [{"paths": [], "weights": []}]}';
  assertEquals(right(parseTfjsManifest(model)).length, 1);
});

Deno.test("tfjs tensors of the wrong shape or with NaN give a WeightsError naming the layer", () => {
  const tensors = netWeightsToTfjs(defaults.pnet).map((t) =>
    t.name === "pnet/conv2/kernel" ? { ...t, shape: [3, 3, 16, 10] } : t
  );
  const e = left(netWeightsFromTfjs("pnet", new Map(tensors.map((t) => [t.name, t]))));
  assertEquals(e._tag, "WeightsError");
  assert(e.message.includes("conv2/kernel: expected shape (3, 3, 10, 16)"), e.message);
  const nan = netWeightsToTfjs(defaults.pnet).map((t) =>
    t.name === "pnet/conv3/bias" ? { ...t, data: Float32Array.from(t.data, () => NaN) } : t
  );
  const e2 = left(netWeightsFromTfjs("pnet", new Map(nan.map((t) => [t.name, t]))));
  assert(e2.message.includes("conv3/bias") && e2.message.includes("NaN"), e2.message);
  const e3 = left(netWeightsFromTfjs("rnet", new Map(nan.map((t) => [t.name, t]))));
  assert(e3.message.includes('no tensor "rnet/conv1/kernel" (the file holds pnet)'), e3.message);
});
