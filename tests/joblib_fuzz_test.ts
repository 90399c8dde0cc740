import { assert } from "./_assert.ts";
import { fixture, prng, right } from "./_weights_io.ts";
import {
  decodeJoblib,
  decodeNetWeights,
  encodeNetWeights,
  loadDefaultWeights,
} from "../weights.ts";
import { NET_SPECS, sizeOf } from "../lib/spec.ts";
import type { MtcnnError } from "../mod.ts";
import type { Result } from "../mod.ts";

const TAGS = ["FormatError", "WeightsError"];

const concat = (...parts: (Uint8Array | number[])[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** One random change: truncation, bit flips, byte edits, insertions, deletions, big sizes. */
const mutate = (src: Uint8Array, rand: () => number): Uint8Array => {
  const at = (n = src.length) => Math.floor(rand() * n);
  const b = src.slice();
  switch (at(7)) {
    case 0:
      return src.slice(0, at());
    case 1:
      for (let k = 1 + at(4); k > 0; k--) b[at()] ^= 1 << at(8);
      return b;
    case 2:
      b[at()] = [0, 0xff, at(256), 0x80][at(4)];
      return b;
    case 3: {
      const i = at();
      return concat(b.subarray(0, i), [at(256)], b.subarray(i));
    }
    case 4: {
      const i = at();
      return concat(b.subarray(0, i), b.subarray(i + 1 + at(16)));
    }
    case 5: {
      const i = at(b.length - 4);
      new DataView(b.buffer).setUint32(
        i,
        [0xffffffff, 0x7fffffff, 0x80010000, 0x10000][at(4)],
        true,
      );
      return b;
    }
    default: {
      const i = at();
      const j = Math.min(b.length, i + at(64));
      return concat(b.subarray(0, j), b.subarray(i, j), b.subarray(j));
    }
  }
};

/** Runs `n` mutations of `base` through `decode`; `check` judges each Right. */
const fuzz = <A>(
  name: string,
  base: Uint8Array,
  n: number,
  seed: number,
  decode: (b: Uint8Array) => Result<MtcnnError, A>,
  check: (a: A) => string | undefined,
): { rights: number; lefts: number } => {
  const rand = prng(seed);
  let rights = 0, lefts = 0;
  for (let i = 0; i < n; i++) {
    const bytes = mutate(base, rand);
    let r: Result<MtcnnError, A>;
    try {
      r = decode(bytes);
    } catch (e) {
      throw new Error(`${name} case ${i} (seed ${seed}) threw: ${e}`);
    }
    if (r._tag === "Left") {
      assert(TAGS.includes(r.left._tag) && r.left.message.length > 0, `${name} case ${i}: untyped`);
      lefts++;
    } else {
      const why = check(r.right);
      assert(why === undefined, `${name} case ${i} (seed ${seed}): wrong result: ${why}`);
      rights++;
    }
  }
  return { rights, lefts };
};

const pnetFixture = await Deno.readFile(fixture("joblib/pnet_checksums.lz4"));
const pnetWant = right(decodeNetWeights("pnet", pnetFixture));

Deno.test("10,000+ mutated joblib files each give a typed error or a correct result", async () => {
  // Every checksum on: damage is always detected, so a Right must be the original weights.
  const sums = fuzz(
    "pnet_checksums.lz4",
    pnetFixture,
    4000,
    1,
    (b) => decodeNetWeights("pnet", b),
    (w) => {
      for (const p of NET_SPECS.pnet) {
        const a = (w.params as Record<string, Float32Array>)[p.name];
        const b = (pnetWant.params as Record<string, Float32Array>)[p.name];
        if (!a.every((v, i) => v === b[i])) return `${p.name} differs`;
      }
    },
  );
  // No checksums: a Right must at least be well-formed arrays of float32 in their shapes.
  const wellFormed = (
    arrays: readonly { shape: readonly number[]; data: Float32Array | Float64Array }[],
  ) =>
    arrays.every((a) => a.data instanceof Float32Array && a.data.length === sizeOf(a.shape))
      ? undefined
      : "an array does not fill its shape";
  const plain = await Deno.readFile(fixture("joblib/mixed_p2.pkl"));
  const framed = await Deno.readFile(fixture("joblib/mixed_p4.lz4"));
  const ours = right(encodeNetWeights(right(await loadDefaultWeights()).pnet));
  const results = [
    sums,
    fuzz("mixed_p2.pkl", plain, 2500, 2, decodeJoblib, wellFormed),
    fuzz("mixed_p4.lz4", framed, 2500, 3, decodeJoblib, wellFormed),
    fuzz("ours pnet.lz4", ours, 1500, 4, (b) => decodeNetWeights("pnet", b), () => undefined),
  ];
  const total = results.reduce((n, r) => n + r.rights + r.lefts, 0);
  assert(total >= 10_000, `${total} cases`);
  assert(results.every((r) => r.lefts > 0 && r.rights > 0), "both outcomes occur");
});
