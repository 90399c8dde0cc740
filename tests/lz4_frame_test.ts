import { assert, assertEquals } from "./_assert.ts";
import { fixture, left, noisePayload, right, sha256, textPayload } from "./_weights_io.ts";
import { decodeLz4Frame, encodeLz4Frame, isLz4Frame } from "../weights.ts";
import { xxhash32 } from "../lib/codecs/xxhash32.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];

interface Block {
  readonly data: number[] | Uint8Array;
  readonly stored?: boolean;
}

/** An LZ4 frame built by hand, with a correct header checksum unless `hc` is given. */
const frame = (flg: number, bd: number, blocks: Block[], extra: {
  size?: number;
  dict?: number;
  hc?: number;
  contentSum?: number;
} = {}): Uint8Array => {
  const desc = [flg, bd];
  if (flg & 0x08) desc.push(...u32(extra.size ?? 0), 0, 0, 0, 0);
  if (flg & 0x01) desc.push(...u32(extra.dict ?? 7));
  const hc = extra.hc ?? (xxhash32(new Uint8Array(desc)) >>> 8) & 255;
  const out = [0x04, 0x22, 0x4d, 0x18, ...desc, hc];
  for (const b of blocks) {
    const data = [...b.data];
    out.push(...u32((data.length | (b.stored ? 0x80000000 : 0)) >>> 0), ...data);
    if (flg & 0x10) out.push(...u32(xxhash32(new Uint8Array(data))));
  }
  out.push(0, 0, 0, 0);
  if (flg & 0x04) out.push(...u32(extra.contentSum ?? 0));
  return new Uint8Array(out);
};

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("xxhash32() matches the reference digests", () => {
  assertEquals(xxhash32(new Uint8Array(0)), 0x02cc5d05);
  assertEquals(xxhash32(enc("a")), 0x550d7456);
  assertEquals(xxhash32(enc("abc")), 0x32d153ff);
  assertEquals(xxhash32(enc("Nobody inspects the spammish repetition")), 0xe2293b2f);
  // The header checksums of the Python package's frames (FLG 0x40) and of ours (FLG 0x60).
  assertEquals((xxhash32(new Uint8Array([0x40, 0x40])) >>> 8) & 255, 0xc0);
  assertEquals((xxhash32(new Uint8Array([0x60, 0x40])) >>> 8) & 255, 0x82);
});

Deno.test("decodeLz4Frame() reads every python-lz4 fixture to its exact payload", async () => {
  const expected = JSON.parse(await Deno.readTextFile(fixture("lz4/expected.json")));
  const payloads: Record<string, Uint8Array> = {
    text: textPayload(70_000),
    mixed: new Uint8Array([...noisePayload(65_536), ...textPayload(70_000).slice(0, 20_000)]),
  };
  for (const [name, p] of Object.entries(payloads)) {
    assertEquals(await sha256(p), expected.payloads[name].sha256, `recomputed ${name} payload`);
  }
  for (const f of expected.files as { file: string; payload: string }[]) {
    const bytes = await Deno.readFile(fixture(`lz4/${f.file}`));
    assert(isLz4Frame(bytes), f.file);
    const out = right(decodeLz4Frame(bytes));
    assertEquals(out.length, payloads[f.payload].length, f.file);
    assert(out.every((b, i) => b === payloads[f.payload][i]), `${f.file} differs`);
  }
});

Deno.test("decodeLz4Frame() verifies the header, block and content checksums", async () => {
  const bytes = await Deno.readFile(fixture("lz4/text_independent_checksums_size.lz4"));
  const hc = bytes.slice();
  hc[14] ^= 1; // FLG BD + 8-byte size, then HC at offset 14
  assert(left(decodeLz4Frame(hc)).message.includes("header checksum"));
  const block = bytes.slice();
  block[40] ^= 0x10;
  assert(left(decodeLz4Frame(block)).message.includes("block checksum"));
  const content = bytes.slice();
  content[content.length - 1] ^= 1;
  assert(left(decodeLz4Frame(content)).message.includes("content checksum"));
  const good = frame(0x64, 0x40, [{ data: enc("abc"), stored: true }], {
    contentSum: xxhash32(enc("abc")),
  });
  assertEquals(text(right(decodeLz4Frame(good))), "abc");
});

Deno.test("decodeLz4Frame() decodes hand-made sequences: literals, overlapping matches", () => {
  // token 0x31: 3 literals "abc", match offset 3, length 1 + 4 = 5; then 1 literal "!".
  const seq = [0x31, 0x61, 0x62, 0x63, 3, 0, 0x10, 0x21];
  assertEquals(text(right(decodeLz4Frame(frame(0x60, 0x40, [{ data: seq }])))), "abcabcab!");
  // A run: 1 literal "z", offset 1, length 15 + 10 + 4 = 29, then an empty literal run.
  const run = [0x1f, 0x7a, 1, 0, 10, 0x00];
  assertEquals(text(right(decodeLz4Frame(frame(0x60, 0x40, [{ data: run }])))), "z".repeat(30));
  // Long literal run: 15 + 255 + 5 = 275 literals.
  const lits = [0xf0, 255, 5, ...new Array(275).fill(0x41)];
  assertEquals(right(decodeLz4Frame(frame(0x60, 0x40, [{ data: lits }]))).length, 275);
});

Deno.test("decodeLz4Frame() lets linked blocks, not independent ones, match into earlier blocks", () => {
  const blocks = [{ data: enc("wxyz"), stored: true }, { data: [0x00, 4, 0, 0x00] }];
  assertEquals(text(right(decodeLz4Frame(frame(0x40, 0x40, blocks)))), "wxyzwxyz");
  assert(left(decodeLz4Frame(frame(0x60, 0x40, blocks))).message.includes("before the start"));
});

Deno.test("decodeLz4Frame() rejects malformed blocks with a FormatError", () => {
  const bad: [number[], string][] = [
    [[0x10, 0x61, 0, 0], "offset 0"],
    [[0x10, 0x61, 5, 0, 0x00], "before the start"],
    [[0x10, 0x61, 1, 0], "ends with a match"],
    [[0x50, 0x61], "literals run past"],
    [[0xf0], "literal length runs past"],
    [[0x1f, 0x61, 1, 0], "match length runs past"],
    [[0x10, 0x61, 1], "offset runs past"],
  ];
  for (const [data, why] of bad) {
    const e = left(decodeLz4Frame(frame(0x60, 0x40, [{ data }])));
    assertEquals(e._tag, "FormatError");
    assert(e.message.includes(why), `${why}: ${e.message}`);
  }
});

Deno.test("decodeLz4Frame() reads content size and dictionary id fields and checks the size", () => {
  const abc = [{ data: enc("abc"), stored: true }];
  assertEquals(text(right(decodeLz4Frame(frame(0x68, 0x40, abc, { size: 3 })))), "abc");
  assert(left(decodeLz4Frame(frame(0x68, 0x40, abc, { size: 4 }))).message.includes("holds 3"));
  assertEquals(text(right(decodeLz4Frame(frame(0x61, 0x70, abc, { dict: 9 })))), "abc");
  const needsDict = [{ data: [0x00, 2, 0, 0x00] }];
  assert(left(decodeLz4Frame(frame(0x61, 0x40, needsDict))).message.includes("dictionary"));
});

Deno.test("decodeLz4Frame() refuses impossible sizes before allocating", () => {
  const huge = frame(0x68, 0x40, [{ data: enc("abc"), stored: true }], { size: 2 ** 31 });
  assert(left(decodeLz4Frame(huge)).message.includes("more than"));
  const big = new Uint8Array([...frame(0x60, 0x40, [])]);
  big.set(u32(0x7fffffff), 7); // a block claiming 2 GiB right where the end mark was
  assert(left(decodeLz4Frame(big)).message.includes("exceeds"));
  const past = frame(0x60, 0x40, [{ data: enc("abcdef"), stored: true }]);
  assert(left(decodeLz4Frame(past.slice(0, 14))).message.includes("runs past the end"));
  const limited = decodeLz4Frame(encodeLz4Frame(new Uint8Array(1000)), { maxOutputBytes: 999 });
  assert(left(limited).message.includes("limit"));
});

Deno.test("decodeLz4Frame() rejects bad headers", () => {
  const cases: [Uint8Array, string][] = [
    [new Uint8Array([1, 2, 3, 4]), "magic"],
    [frame(0x80, 0x40, []), "version"],
    [frame(0x62, 0x40, []), "reserved"],
    [frame(0x60, 0x30, []), "block size id 3"],
    [frame(0x60, 0x40, [], { hc: 0 }), "header checksum"],
    [frame(0x60, 0x40, []).slice(0, 6), "cut short"],
  ];
  for (const [bytes, why] of cases) {
    assert(left(decodeLz4Frame(bytes)).message.includes(why), why);
  }
});

Deno.test("decodeLz4Frame() reads concatenated frames and skips skippable frames", () => {
  const skip = [0x50, 0x2a, 0x4d, 0x18, ...u32(3), 9, 9, 9];
  const joined = new Uint8Array([
    ...encodeLz4Frame(enc("ab")),
    ...skip,
    ...encodeLz4Frame(enc("cd")),
  ]);
  assertEquals(text(right(decodeLz4Frame(joined))), "abcd");
  const trailing = new Uint8Array([...encodeLz4Frame(enc("ab")), 1, 2]);
  assert(left(decodeLz4Frame(trailing)).message.includes("stray"));
});

Deno.test("decodeLz4Frame() gives a typed error for every truncation, never a throw", async () => {
  const bytes = await Deno.readFile(fixture("lz4/text_linked_64k.lz4"));
  for (let n = 0; n < bytes.length; n += 13) {
    const r = decodeLz4Frame(bytes.subarray(0, n));
    assertEquals(r._tag, "Left", `prefix ${n}`);
  }
});

Deno.test("encodeLz4Frame() writes stored 64 KiB blocks behind header 04 22 4D 18 60 40 82", () => {
  for (const n of [0, 1, 65_536, 65_537, 200_000]) {
    const data = noisePayload(n, n + 1);
    const framed = encodeLz4Frame(data);
    assertEquals([...framed.subarray(0, 7)], [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
    assertEquals(framed.length, 7 + 4 * Math.ceil(n / 65_536) + n + 4);
    const back = right(decodeLz4Frame(framed));
    assert(back.length === n && back.every((b, i) => b === data[i]), `size ${n}`);
  }
});
