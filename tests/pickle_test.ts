import { assert, assertEquals } from "./_assert.ts";
import { left, prng, right } from "./_weights_io.ts";
import { loadPickle, type PickleValue } from "../lib/codecs/pickle.ts";

const hex = (h: string) => new Uint8Array(h.match(/../g)!.map((b) => parseInt(b, 16)));

/** A PickleValue as plain JSON-comparable data. */
const plain = (v: PickleValue): unknown => {
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Uint8Array) return { bytes: [...v] };
  if (typeof v !== "object" || v === null) return v;
  switch (v.kind) {
    case "list":
      return v.items.map(plain);
    case "tuple":
      return { tuple: v.items.map(plain) };
    case "dict":
      return { dict: [...v.entries].map(([k, x]) => [k, plain(x)]) };
    case "global":
      return { global: `${v.module}.${v.name}` };
    case "object":
      return { object: plain(v.cls), args: v.args.map(plain), state: v.state && plain(v.state) };
    default:
      return { host: v.value };
  }
};

// pickle.dumps(v, protocol=p) for
// v = [1, -2, 300, 70000, 2**40, -2**70, 1.5, 'é', b'xy', (1,), (1,2), (1,2,3), (), {'a': 1, 2: 'b'},
//      None, True, False]; v.append(v[13])   (protocol 2 has no b'xy': it pickles bytes by a call)
const PY: Record<number, string> = {
  2: "80025d7100284b014afeffffff4d2c014a701101008a060000000000018a090000000000000000c0473ff8000000" +
    "0000005802000000c3a971014b018571024b014b028671034b014b024b03877104297d71052858010000006171064b" +
    "014b025801000000627107754e88896805652e",
  3: "80035d7100284b014afeffffff4d2c014a701101008a060000000000018a090000000000000000c0473ff8000000" +
    "0000005802000000c3a971014302787971024b018571034b014b028671044b014b024b03877105297d7106285801" +
    "0000006171074b014b025801000000627108754e88896806652e",
  4: "80049562000000000000005d94284b014afeffffff4d2c014a701101008a060000000000018a09000000000000" +
    "0000c0473ff80000000000008c02c3a99443027879944b0185944b014b0286944b014b024b038794297d94288c01" +
    "61944b014b028c016294754e88896806652e",
  5: "80059562000000000000005d94284b014afeffffff4d2c014a701101008a060000000000018a09000000000000" +
    "0000c0473ff80000000000008c02c3a99443027879944b0185944b014b0286944b014b024b038794297d94288c01" +
    "61944b014b028c016294754e88896806652e",
};

const dict = { dict: [["a", 1], [2, "b"]] };
const expected = (withBytes: boolean): unknown[] => [
  1,
  -2,
  300,
  70000,
  2 ** 40,
  `${-(2n ** 70n)}n`,
  1.5,
  "é",
  ...(withBytes ? [{ bytes: [0x78, 0x79] }] : []),
  { tuple: [1] },
  { tuple: [1, 2] },
  { tuple: [1, 2, 3] },
  { tuple: [] },
  dict,
  null,
  true,
  false,
  dict,
];

Deno.test("loadPickle() reads Python's pickles of plain data, protocols 2 to 5", () => {
  for (const p of [2, 3, 4, 5]) {
    const r = right(loadPickle(hex(PY[p])));
    assertEquals(plain(r.value), expected(p !== 2), `protocol ${p}`);
    assertEquals(r.end, PY[p].length / 2);
  }
});

Deno.test("loadPickle() shares memoized objects as Python does", () => {
  const v = right(loadPickle(hex(PY[4]))).value as { items: PickleValue[] };
  assert(v.items[13] === v.items[v.items.length - 1], "the memo gives the same dict object");
});

Deno.test("loadPickle() refuses every global but joblib's three array classes", () => {
  // pickle.dumps(os.system, protocol=2) and protocol=4
  const cases = [
    "800263706f7369780a73797374656d0a71002e",
    "80049514000000000000008c0570" +
    "6f736978948c0673797374656d9493942e",
  ];
  for (const h of cases) {
    const e = left(loadPickle(hex(h)));
    assertEquals(e._tag, "FormatError");
    assert(e.message.includes("refusing global posix.system"), e.message);
  }
  // Protocol 2 pickles bytes through _codecs.encode: refused too.
  const bytes2 = "8002635f636f646563730a656e636f64650a2e";
  assert(left(loadPickle(hex(bytes2))).message.includes("refusing global"));
  // numpy.dtype is allowed: an object record, never a call.
  const dtype = right(loadPickle(hex("80048c056e756d70798c0564747970659329522e")));
  assertEquals(plain(dtype.value), {
    object: { global: "numpy.dtype" },
    args: [],
    state: undefined,
  });
});

Deno.test("loadPickle() rejects protocols 0 and 1, unknown protocols and foreign opcodes", () => {
  const cases: [string, string][] = [
    ["636f730a73797374656d0a2853276563686f206869270a74522e", "no PROTO"], // the classic exploit
    ["5d2e", "no PROTO"],
    ["80065d2e", "protocol 6"],
    ["800250300a2e", "unsupported pickle opcode 0x50"], // PERSID
    ["8002820a2e", "unsupported pickle opcode 0x82"], // EXT1
    ["8005970a2e", "unsupported pickle opcode 0x97"], // NEXT_BUFFER
  ];
  for (const [h, why] of cases) {
    const e = left(loadPickle(hex(h)));
    assert(e.message.includes(why), `${why}: ${e.message}`);
  }
});

Deno.test("loadPickle() reports malformed streams instead of throwing", () => {
  const cases: [string, string][] = [
    ["", "no PROTO"],
    ["80045d", "past the end"], // no STOP
    ["80042e", "stack is empty"],
    ["8004740a", "no MARK"],
    ["8004680a2e", "no memo entry 10"],
    ["80048c05616263", "past the end"], // a string longer than the stream
    ["80048d" + "ffffffffffffff7f" + "2e", "too large"], // BINUNICODE8 of 2^63 bytes
    ["8004958000000000000000" + "5d2e", "frame of 128 bytes"],
    ["80048c02c328" + "2e", "not valid UTF-8"],
    ["80044b014b01612e", "not a list"],
    ["80044b014b01622e", "not an object"],
  ];
  for (const [h, why] of cases) {
    const r = loadPickle(hex(h || "00").subarray(h ? 0 : 1));
    const e = left(r);
    assertEquals(e._tag, "FormatError");
    assert(e.message.includes(why), `${why}: ${e.message}`);
  }
});

Deno.test("loadPickle() passes the reader to afterBuild right after BUILD", () => {
  // PROTO 4, numpy.dtype, () NEWOBJ, {} BUILD, then 3 raw bytes, then STOP
  const stream = hex("80048c056e756d70798c0564747970659329817d62" + "aabbcc" + "2e");
  const r = right(loadPickle(stream, {
    afterBuild: (_built, reader) => {
      const raw = reader.take(3);
      return { _tag: "Right", right: { kind: "host", value: [...raw] } };
    },
  }));
  assertEquals(plain(r.value), { host: [0xaa, 0xbb, 0xcc] });
});

Deno.test("loadPickle() never throws on random streams", () => {
  const rand = prng(7);
  for (let i = 0; i < 3000; i++) {
    const n = 2 + Math.floor(rand() * 40);
    const b = new Uint8Array(n).map(() => Math.floor(rand() * 256));
    b[0] = 0x80;
    b[1] = 2 + Math.floor(rand() * 4);
    const r = loadPickle(b);
    assert(r._tag === "Right" || r.left._tag === "FormatError", `stream ${i}`);
  }
});
