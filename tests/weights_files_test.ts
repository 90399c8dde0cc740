import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { left, right, tempDir } from "./_weights_io.ts";
import { writeFileAtomic } from "../pipelines/edge/atomic.ts";
import {
  readAnyNetWeightsFile,
  readNetWeightsFile,
  weightsFormatOf,
  writeNetWeightsFile,
} from "../pipelines/edge/weights/files.ts";
import {
  encodeJoblib,
  encodeNetWeights,
  loadDefaultWeights,
  NET_SPECS,
  type NetName,
  type NetWeights,
  readNetWeights,
  readWeights,
  type ShapedArray,
  weightsToArrays,
} from "../weights.ts";

const defaults = right(await loadDefaultWeights());

const sameWeights = (a: NetWeights<NetName>, b: NetWeights<NetName>, what: string) => {
  assertEquals(a.net, b.net, what);
  for (const p of NET_SPECS[a.net]) {
    const x = (a.params as Record<string, Float32Array>)[p.name];
    const y = (b.params as Record<string, Float32Array>)[p.name];
    assert(x.length === y.length && x.every((v, i) => v === y[i]), `${what} ${p.name}`);
  }
};

const withDir = (fn: (dir: string) => Promise<void>) => async () => {
  const [dir, cleanup] = await tempDir();
  try {
    await fn(dir);
  } finally {
    await cleanup();
  }
};

const files = async (dir: string): Promise<string[]> =>
  (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();

Deno.test(
  "writeFileAtomic() replaces a file whole and leaves no temporary file",
  withDir(async (dir) => {
    const path = join(dir, "w.bin");
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(path, new Uint8Array(100_000).fill(7));
    assertEquals((await Deno.readFile(path)).length, 100_000);
    assertEquals(await files(dir), ["w.bin"]);
    let threw = false;
    try {
      await writeFileAtomic(join(dir, "missing", "x.bin"), new Uint8Array(1));
    } catch {
      threw = true;
    }
    assert(threw, "writing into a missing folder rejects");
    assertEquals(await files(dir), ["w.bin"]);
  }),
);

Deno.test("weightsFormatOf() names the format by extension, any case", () => {
  assertEquals(weightsFormatOf("a/onet.lz4"), "joblib-lz4");
  assertEquals(weightsFormatOf("ONET.LZ4"), "joblib-lz4");
  assertEquals(weightsFormatOf("w.pkl"), "joblib");
  assertEquals(weightsFormatOf("w.joblib"), "joblib");
  assertEquals(weightsFormatOf("w.json"), "tfjs");
  assertEquals(weightsFormatOf("w.bin"), undefined);
});

Deno.test(
  "writeNetWeightsFile() writes each format by extension and reads back identical weights",
  withDir(async (dir) => {
    for (const net of ["pnet", "rnet", "onet"] as const) {
      for (const ext of [".lz4", ".pkl", ".joblib", ".json", ".LZ4"]) {
        const path = join(dir, `${net}${ext}`);
        right(await writeNetWeightsFile(path, defaults[net]));
        const head = (await Deno.readFile(path)).subarray(0, 5);
        if (ext.toLowerCase() === ".lz4") assertEquals([...head], [0x04, 0x22, 0x4d, 0x18, 0x60]);
        if (ext === ".pkl" || ext === ".joblib") assertEquals([...head.subarray(0, 2)], [0x80, 4]);
        sameWeights(right(await readNetWeightsFile(net, path)), defaults[net], path);
        sameWeights(right(await readAnyNetWeightsFile(path)), defaults[net], path);
      }
    }
    assert((await files(dir)).includes("onet-shard1of1.bin"), "the shard is beside its manifest");
    assert(!(await files(dir)).some((f) => f.endsWith(".tmp")), "no temporary files");
    const fa = join(dir, "faceapi_pnet.json");
    right(await writeNetWeightsFile(fa, defaults.pnet, { faceApiNames: true }));
    assert((await Deno.readTextFile(fa)).includes('"pnet/conv4_1/weights"'));
    sameWeights(right(await readAnyNetWeightsFile(fa)), defaults.pnet, fa);
  }),
);

Deno.test(
  "a joblib file under another extension is read by its magic bytes",
  withDir(async (dir) => {
    const path = join(dir, "rnet.weights");
    await Deno.writeFile(path, right(encodeNetWeights(defaults.rnet)));
    sameWeights(right(await readAnyNetWeightsFile(path)), defaults.rnet, path);
    const e = left(await writeNetWeightsFile(join(dir, "x.weights"), defaults.rnet));
    assertEquals(e._tag, "OptionError");
    assert(e.message.includes('".weights"'), e.message);
  }),
);

/** A .lz4 of PNet's arrays with array `k` changed by `change`. */
const pnetWith = async (dir: string, k: number, change: (a: ShapedArray) => ShapedArray) => {
  const arrays = weightsToArrays(defaults.pnet).map((a, i) => (i === k ? change(a) : a));
  const path = join(dir, `pnet_${k}.lz4`);
  await Deno.writeFile(path, right(encodeJoblib(arrays)));
  return path;
};

Deno.test(
  "wrong shapes, NaN and Inf in a file are WeightsErrors naming the file, layer and shape",
  withDir(async (dir) => {
    const shape = await pnetWith(dir, 3, (a) => ({ shape: [3, 3, 16, 10], data: a.data }));
    const e1 = left(await readNetWeightsFile("pnet", shape));
    assertEquals(e1._tag, "WeightsError");
    assert(e1.message.startsWith(shape), e1.message);
    assert(e1.message.includes("conv2/kernel: expected shape (3, 3, 10, 16), got (3, 3, 16, 10)"));
    const nan = await pnetWith(
      dir,
      4,
      (a) => ({ shape: a.shape, data: new Float32Array(16).fill(NaN) }),
    );
    const e2 = left(await readNetWeightsFile("pnet", nan));
    assert(e2.message.includes("conv2/bias: value 0 is NaN"), e2.message);
    const inf = await pnetWith(
      dir,
      12,
      (a) => ({ shape: a.shape, data: Float32Array.from([0, -Infinity]) }),
    );
    const e3 = left(await readNetWeightsFile("pnet", inf));
    assert(e3.message.includes("conv4-2/bias: value 1 is -Infinity"), e3.message);
    const e4 = left(await readNetWeightsFile("rnet", shape));
    assert(e4.message.includes("rnet needs 16 arrays"), e4.message);
    const e5 = left(await readAnyNetWeightsFile(shape));
    assert(e5.message.includes("conv2/kernel"), e5.message);
  }),
);

Deno.test(
  "unreadable, foreign and unsafe weight files give typed errors",
  withDir(async (dir) => {
    const e1 = left(await readAnyNetWeightsFile(join(dir, "none.lz4")));
    assertEquals(e1._tag, "IoError");
    const junk = join(dir, "junk.lz4");
    await Deno.writeFile(junk, new TextEncoder().encode("not weights"));
    const e2 = left(await readAnyNetWeightsFile(junk));
    assertEquals(e2._tag, "FormatError");
    assert(e2.message.startsWith(junk), e2.message);
    const escape = join(dir, "escape.json");
    await Deno.writeTextFile(escape, '[{"paths": ["../x.bin"], "weights": []}]');
    assert(left(await readAnyNetWeightsFile(escape)).message.includes("leaves"));
    const noShard = join(dir, "noshard.json");
    await Deno.writeTextFile(noShard, '[{"paths": ["gone.bin"], "weights": []}]');
    assertEquals(left(await readAnyNetWeightsFile(noShard))._tag, "IoError");
    const e3 = left(await readAnyNetWeightsFile(dir));
    assert(e3.message.includes("not a file"), e3.message);
  }),
);

Deno.test(
  "readNetWeights() takes a path, joblib bytes or a record, and checks each",
  withDir(async (dir) => {
    const path = join(dir, "onet.lz4");
    right(await writeNetWeightsFile(path, defaults.onet));
    sameWeights(right(await readNetWeights("onet", path)), defaults.onet, "path");
    const bytes = await Deno.readFile(path);
    sameWeights(right(await readNetWeights("onet", bytes)), defaults.onet, "bytes");
    sameWeights(right(await readNetWeights("onet", defaults.onet)), defaults.onet, "record");
    const bad = {
      ...defaults.pnet,
      params: { ...defaults.pnet.params, "conv1/bias": new Float32Array(3) },
    };
    const e1 = left(await readNetWeights("pnet", bad));
    assert(e1.message.includes("conv1/bias"), e1.message);
    const e2 = left(
      await readNetWeights("rnet", defaults.pnet as unknown as NetWeights<"rnet">),
    );
    assert(e2.message.includes("expected rnet weights, got pnet"), e2.message);
    const e3 = left(await readNetWeights("pnet", new TextEncoder().encode("[{}]")));
    assert(e3.message.includes("pass the manifest's path"), e3.message);
    const e4 = left(await readNetWeights("pnet", 42 as unknown as string));
    assertEquals(e4._tag, "WeightsError");
  }),
);

Deno.test(
  "readWeights() takes each network from its source and the rest from the defaults",
  withDir(async (dir) => {
    const path = join(dir, "rnet.json");
    right(await writeNetWeightsFile(path, defaults.rnet));
    const w = right(await readWeights({ rnet: path }));
    sameWeights(w.pnet, defaults.pnet, "default pnet");
    sameWeights(w.rnet, defaults.rnet, "rnet from its file");
    sameWeights(w.onet, defaults.onet, "default onet");
    const e = left(await readWeights({ onet: path }));
    assert(e.message.includes("onet") && e.message.startsWith(path), e.message);
  }),
);
