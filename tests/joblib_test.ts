import { assert, assertEquals } from "./_assert.ts";
import {
  fixture,
  fixtureValue,
  HAS_LZ4_WEIGHTS,
  HAS_PYTHON_JOBLIB,
  left,
  LZ4_WEIGHTS_DIR,
  python,
  right,
  sha256,
  tempDir,
} from "./_weights_io.ts";
import {
  decodeAnyNetWeights,
  decodeJoblib,
  decodeLz4Frame,
  decodeNetWeights,
  encodeJoblib,
  loadDefaultWeights,
  type ShapedArray,
  weightsToArrays,
} from "../weights.ts";
import { loadPickle } from "../lib/codecs/pickle.ts";
import { NET_SPECS, sizeOf } from "../lib/spec.ts";

if (!HAS_LZ4_WEIGHTS) {
  console.warn("joblib_test: ../shared/data/mtcnn_lz4_weights is absent: skipping real-file tests");
}
if (!HAS_PYTHON_JOBLIB) {
  console.warn(
    "joblib_test: /usr/bin/python3 with joblib, lz4 and numpy is absent: skipping the round " +
      "trip with Python (apt-get install python3-joblib python3-lz4 python3-numpy)",
  );
}

const expected = JSON.parse(await Deno.readTextFile(fixture("joblib/expected.json")));

/** The arrays make_joblib_fixtures.py made for `kind` ("mixed" or "pnet"), as float32. */
const fixtureArrays = (kind: string): { shape: number[]; values: Float32Array }[] =>
  (kind === "mixed" ? expected.mixed.map((m: { shape: number[] }) => m.shape) : expected.pnet)
    .map((shape: number[], k: number) => ({
      shape,
      values: Float32Array.from({ length: sizeOf(shape) }, (_, i) => fixtureValue(k, i)),
    }));

const sameArrays = (got: readonly ShapedArray[], want: readonly ShapedArray[], what: string) => {
  assertEquals(got.length, want.length, `${what}: count`);
  got.forEach((a, i) => {
    assertEquals(a.shape, want[i].shape, `${what}: shape ${i}`);
    assert(a.data instanceof Float32Array, `${what}: array ${i} is float32`);
    const w = Float32Array.from(want[i].data);
    assert(
      a.data.length === w.length && a.data.every((v, j) => v === w[j]),
      `${what}: values ${i}`,
    );
  });
};

Deno.test("decodeJoblib() reads Python's fixtures: protocols 2-5, lz4 or plain, f8, F order, big-endian", async () => {
  for (const f of expected.files as { file: string; arrays: string }[]) {
    const got = right(decodeJoblib(await Deno.readFile(fixture(`joblib/${f.file}`))));
    const want = fixtureArrays(f.arrays).map((a) => ({ shape: a.shape, data: a.values }));
    sameArrays(got, want, f.file);
  }
});

Deno.test("decodeNetWeights() and decodeAnyNetWeights() read the Python-made PNet files", async () => {
  const want = fixtureArrays("pnet");
  for (const file of ["pnet_random.lz4", "pnet_checksums.lz4"]) {
    const bytes = await Deno.readFile(fixture(`joblib/${file}`));
    const w = right(decodeNetWeights("pnet", bytes));
    NET_SPECS.pnet.forEach((p, k) =>
      assertEquals(w.params[p.name as "conv1/kernel"], want[k].values)
    );
    assertEquals(right(decodeAnyNetWeights(bytes)).net, "pnet");
    const e = left(decodeNetWeights("onet", bytes));
    assert(e.message.includes("onet needs 21 arrays"), e.message);
  }
});

Deno.test({
  name: "the Python package's pnet/rnet/onet.lz4 equal the embedded default weights exactly",
  ignore: !HAS_LZ4_WEIGHTS,
  fn: async () => {
    const d = right(await loadDefaultWeights());
    for (const net of ["pnet", "rnet", "onet"] as const) {
      const bytes = await Deno.readFile(`${LZ4_WEIGHTS_DIR}${net}.lz4`);
      const w = right(decodeNetWeights(net, bytes));
      let maxDiff = 0;
      for (const p of NET_SPECS[net]) {
        const a = (w.params as Record<string, Float32Array>)[p.name];
        const b = (d[net].params as Record<string, Float32Array>)[p.name];
        for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      }
      assertEquals(maxDiff, 0, `${net}: max abs difference`);
      assertEquals(right(decodeAnyNetWeights(bytes)).net, net);
    }
  },
});

const MIXED_TS: ShapedArray[] = [
  { shape: [2, 3], data: Float32Array.from([1.5, -2, 3.25, 0, 1e-7, -65504]) },
  { shape: [3], data: Float64Array.from([0.1, 1 / 3, -1e300]) },
  { shape: [1, 1, 4], data: Float32Array.from([7, 8, 9, 10]) },
  { shape: [0], data: new Float32Array(0) },
  { shape: [70000], data: Float32Array.from({ length: 70000 }, (_, i) => Math.sin(i)) },
];

Deno.test("encodeJoblib() round-trips through decodeJoblib() for protocols 2-5, lz4 or plain", () => {
  for (const protocol of [2, 3, 4, 5] as const) {
    for (const compress of [true, false]) {
      const bytes = right(encodeJoblib(MIXED_TS, { protocol, compress }));
      sameArrays(right(decodeJoblib(bytes)), MIXED_TS, `p${protocol} ${compress}`);
    }
  }
});

Deno.test("encodeJoblib() aligns every array's data to 16 bytes, joblib's rule", () => {
  const stream = right(encodeJoblib(MIXED_TS, { compress: false }));
  const starts: number[] = [];
  right(loadPickle(stream, {
    afterBuild: (built, r) => {
      if ((built as { cls: { name: string } }).cls.name !== "NumpyArrayWrapper") {
        return { _tag: "Right", right: undefined };
      }
      const pad = r.take(1)[0];
      assert(pad >= 1 && pad <= 16 && r.take(pad).every((b) => b === 0xff), "pad bytes");
      starts.push(r.pos);
      const a = MIXED_TS[starts.length - 1];
      r.take(a.data.byteLength);
      return { _tag: "Right", right: null };
    },
  }));
  assertEquals(starts.length, MIXED_TS.length);
  assert(starts.every((s) => s % 16 === 0), `starts ${starts}`);
});

Deno.test("decodeJoblib() reads files of joblib <= 1.1, which have no alignment pad", () => {
  const stream = right(encodeJoblib(MIXED_TS.slice(0, 3), { compress: false }));
  // Drop "numpy_array_alignment_bytes": 16 from each state dict, and the pad after BUILD.
  const key = [0x8c, 27, ...new TextEncoder().encode("numpy_array_alignment_bytes"), 0x4b, 16];
  const out: number[] = [];
  for (let i = 0; i < stream.length;) {
    if (key.every((b, j) => stream[i + j] === b)) {
      out.push(0x75, 0x62); // SETITEMS BUILD
      i += key.length + 2;
      i += 1 + stream[i]; // the pad
    } else out.push(stream[i++]);
  }
  sameArrays(right(decodeJoblib(new Uint8Array(out))), MIXED_TS.slice(0, 3), "no pad");
});

Deno.test("decodeJoblib() explains files it cannot read", () => {
  const one = right(encodeJoblib([{ shape: [2], data: new Float32Array(2) }], { compress: false }));
  const swap = (from: string, to: string) => {
    const s = String.fromCharCode(...one).replace(from, to);
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  };
  const cases: [Uint8Array, string][] = [
    [new Uint8Array(0), "empty"],
    [new Uint8Array([0x78, 0x9c, 1, 2]), "zlib-compressed"],
    [new Uint8Array([0x1f, 0x8b, 8, 0]), "gzip-compressed"],
    [new Uint8Array([0x42, 0x5a, 0x68, 0x39]), "bz2-compressed"],
    [new TextEncoder().encode("hello"), "neither an LZ4 frame nor a pickle"],
    [swap("\x8c\x02f4", "\x8c\x02i8"), "dtype i8 is not supported"],
    [swap("\x8c\x01C", "\x8c\x01X"), "order X"],
    [swap("\x8c\x01<", "\x8c\x01!"), "byte order !"],
    [swap("K\x02t", "J\x00\x00\x00\x10t"), "needs more bytes than the file has"],
    [new Uint8Array([0x80, 4, 0x5d, 0x4b, 1, 0x61, 0x2e]), "item 0 is a number, not an array"],
    [one.subarray(0, one.length - 1), "past the end"],
  ];
  for (const [bytes, why] of cases) {
    const e = left(decodeJoblib(bytes));
    assertEquals(e._tag, "FormatError");
    assert(e.message.includes(why), `${why}: ${e.message}`);
  }
});

Deno.test("encodeJoblib() refuses arrays whose data does not fill their shape", () => {
  const e = left(encodeJoblib([{ shape: [2, 2], data: new Float32Array(3) }]));
  assertEquals(e._tag, "InputError");
});

const LOAD_PY = `
import hashlib, json, sys, joblib, numpy as np
out = {}
for path in sys.argv[1:]:
    arrays = joblib.load(path)
    out[path] = [[a.dtype.str, list(a.shape), bool(a.flags.c_contiguous),
                  hashlib.sha256(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest()]
                 for a in arrays]
print(json.dumps(out))
`;

Deno.test({
  name: "files we write load in Python's joblib.load as identical arrays",
  ignore: !HAS_PYTHON_JOBLIB,
  fn: async () => {
    const [dir, cleanup] = await tempDir();
    try {
      const d = right(await loadDefaultWeights());
      const want: Record<string, ShapedArray[]> = {};
      for (const protocol of [2, 3, 4, 5] as const) {
        for (const compress of [true, false]) {
          const path = `${dir}/mixed_p${protocol}.${compress ? "lz4" : "pkl"}`;
          await Deno.writeFile(path, right(encodeJoblib(MIXED_TS, { protocol, compress })));
          want[path] = MIXED_TS;
        }
      }
      for (const net of ["pnet", "rnet", "onet"] as const) {
        const path = `${dir}/${net}.lz4`;
        const arrays = weightsToArrays(d[net]) as ShapedArray[];
        await Deno.writeFile(path, right(encodeJoblib(arrays)));
        want[path] = arrays;
      }
      const got = JSON.parse(await python(LOAD_PY, Object.keys(want)));
      for (const [path, arrays] of Object.entries(want)) {
        assertEquals(got[path].length, arrays.length, path);
        for (const [i, a] of arrays.entries()) {
          const [dtype, shape, cContiguous, hash] = got[path][i];
          const bytes = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
          assertEquals(dtype, a.data instanceof Float32Array ? "<f4" : "<f8", `${path} ${i}`);
          assertEquals(shape, a.shape, `${path} ${i}`);
          assert(cContiguous, `${path} ${i} is C order`);
          assertEquals(hash, await sha256(bytes), `${path} ${i} bytes`);
        }
      }
    } finally {
      await cleanup();
    }
  },
});

const DUMP_PY = `
import base64, json, sys, joblib, numpy as np
rng = np.random.default_rng(3)
out = []
variants = [(p, c) for p in (2, 3, 4, 5) for c in (0, ("lz4", 1), ("lz4", 9))]
for i, (protocol, compress) in enumerate(variants):
    arrays = [rng.standard_normal((3, 3, 3, 10)).astype("<f4"),
              np.asfortranarray(rng.standard_normal((5, 7))),
              rng.standard_normal((4, 2)).astype(">f4"),
              rng.standard_normal(300).astype(">f8")]
    path = f"{sys.argv[1]}/py_{i}.{'lz4' if compress else 'pkl'}"
    joblib.dump(arrays, path, protocol=protocol, compress=compress)
    out.append({"path": path, "arrays": [{"shape": list(a.shape), "f32": base64.b64encode(
        np.ascontiguousarray(a).astype("<f4").tobytes()).decode()} for a in arrays]})
print(json.dumps(out))
`;

Deno.test({
  name: "files Python's joblib.dump writes (protocols 2-5, lz4 levels, plain) load here",
  ignore: !HAS_PYTHON_JOBLIB,
  fn: async () => {
    const [dir, cleanup] = await tempDir();
    try {
      const files = JSON.parse(await python(DUMP_PY, [dir]));
      assertEquals(files.length, 12);
      for (const f of files as { path: string; arrays: { shape: number[]; f32: string }[] }[]) {
        const bytes = await Deno.readFile(f.path);
        if (f.path.endsWith(".lz4")) right(decodeLz4Frame(bytes));
        const want = f.arrays.map((a) => {
          const raw = Uint8Array.from(atob(a.f32), (c) => c.charCodeAt(0));
          return { shape: a.shape, data: new Float32Array(raw.buffer) };
        });
        sameArrays(right(decodeJoblib(bytes)), want, f.path);
      }
    } finally {
      await cleanup();
    }
  },
});
