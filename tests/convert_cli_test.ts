import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { HAS_LZ4_WEIGHTS, LZ4_WEIGHTS_DIR, right, tempDir } from "./_weights_io.ts";
import { faceApiWeightsDir } from "./_build_tools.ts";
import { run } from "../cli/convert.ts";
import { readNetWeightsFile, writeNetWeightsFile } from "../pipelines/edge/weights/files.ts";
import { loadDefaultWeights, NET_SPECS, type NetName } from "../weights.ts";
import type { NetWeights } from "../weights.ts";

if (!HAS_LZ4_WEIGHTS) {
  console.warn("convert_cli_test: ../shared is absent: converting the real .lz4 files is skipped");
}

const defaults = right(await loadDefaultWeights());

/** Runs `convert` with `args`, capturing what it prints. */
const convert = async (args: string[]) => {
  const out: string[] = [], err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await run(args);
    return { code, out: out.join("\n"), err };
  } finally {
    console.log = log;
    console.error = error;
  }
};

const sameWeights = (a: NetWeights<NetName>, b: NetWeights<NetName>) =>
  a.net === b.net && NET_SPECS[a.net].every((p) => {
    const x = (a.params as Record<string, Float32Array>)[p.name];
    const y = (b.params as Record<string, Float32Array>)[p.name];
    return x.length === y.length && x.every((v, i) => v === y[i]);
  });

Deno.test("convert --help prints the usage and the formats", async () => {
  const r = await convert(["--help"]);
  assertEquals(r.code, 0);
  assert(r.out.includes("Usage: mtcnn convert <in> <out>"), r.out);
  for (const s of [".lz4", ".pkl", ".joblib", ".json", "--net", "--face-api-names"]) {
    assert(r.out.includes(s), s);
  }
});

Deno.test("convert goes .lz4 -> .json -> .pkl -> .lz4 with identical weights", async () => {
  const [dir, cleanup] = await tempDir();
  try {
    const start = join(dir, "onet_start.lz4");
    right(await writeNetWeightsFile(start, defaults.onet));
    const chain = [start, join(dir, "o.json"), join(dir, "o.pkl"), join(dir, "o.lz4")];
    for (let i = 1; i < chain.length; i++) {
      const r = await convert([chain[i - 1], chain[i]]);
      assertEquals(r.code, 0, r.err.join("\n"));
      assert(sameWeights(right(await readNetWeightsFile("onet", chain[i])), defaults.onet));
    }
    assertEquals(await Deno.readFile(chain[3]), await Deno.readFile(start));
  } finally {
    await cleanup();
  }
});

Deno.test({
  name: "convert turns the Python package's .lz4 files into tfjs manifests of the same weights",
  ignore: !HAS_LZ4_WEIGHTS,
  fn: async () => {
    const [dir, cleanup] = await tempDir();
    try {
      for (const net of ["pnet", "rnet", "onet"] as const) {
        const out = join(dir, `${net}.json`);
        const r = await convert([`${LZ4_WEIGHTS_DIR}${net}.lz4`, out, "--face-api-names"]);
        assertEquals(r.code, 0, r.err.join("\n"));
        assert(sameWeights(right(await readNetWeightsFile(net, out)), defaults[net]));
      }
    } finally {
      await cleanup();
    }
  },
});

Deno.test("convert reads one network of face-api.js's manifest with --net", async () => {
  const [dir, cleanup] = await tempDir();
  try {
    const manifest = join(await faceApiWeightsDir(), "mtcnn_model-weights_manifest.json");
    const out = join(dir, "rnet.lz4");
    const r = await convert([manifest, out, "--net", "rnet"]);
    assertEquals(r.code, 0, r.err.join("\n"));
    assert(sameWeights(right(await readNetWeightsFile("rnet", out)), defaults.rnet));
    const bare = await convert([manifest, join(dir, "x.lz4")]);
    assertEquals(bare.code, 1);
    assertEquals(bare.err.length, 1);
    assert(bare.err[0].includes("name the network (--net)"), bare.err[0]);
  } finally {
    await cleanup();
  }
});

Deno.test("convert explains bad usage and bad files in one line with a non-zero code", async () => {
  const [dir, cleanup] = await tempDir();
  try {
    const good = join(dir, "p.lz4");
    right(await writeNetWeightsFile(good, defaults.pnet));
    const cases: [string[], number, string][] = [
      [[], 2, "needs an input and an output"],
      [[good], 2, "needs an input and an output"],
      [[good, join(dir, "a.json"), "--net", "xnet"], 2, "--net must be pnet, rnet or onet"],
      [[good, join(dir, "a.json"), "--fast"], 2, "unknown option --fast"],
      [[join(dir, "none.lz4"), join(dir, "a.json")], 1, "none.lz4"],
      [[good, join(dir, "a.txt")], 1, 'extension ".txt"'],
      [[good, join(dir, "a.json"), "--net", "onet"], 1, "onet needs 21 arrays"],
      [[good, join(dir, "missing", "a.lz4")], 1, "cannot write"],
    ];
    for (const [args, code, why] of cases) {
      const r = await convert(args);
      assertEquals(r.code, code, args.join(" "));
      assertEquals(r.err.length, 1, `one line for ${args.join(" ")}: ${r.err.join(" | ")}`);
      assert(r.err[0].startsWith("error: ") && r.err[0].includes(why), r.err[0]);
    }
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["p.lz4"]);
  } finally {
    await cleanup();
  }
});
