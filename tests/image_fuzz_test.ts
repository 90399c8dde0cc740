/**
 * Fuzzing the image loader (issue 4): 10,000 seeded mutations of small JPEG, PNG and GIF seeds
 * (truncations, byte flips, inserted and deleted bytes, changed length and size fields, extra
 * frame headers) through `loadImage`. Each must give an image or a typed error without
 * throwing; no decoder call may be given bytes whose headers declare more than the pixel limit
 * (imagescript's `decode` is wrapped to check); memory stays bounded.
 * `FUZZ_N` and `FUZZ_SEED` in the environment change the count and the seed.
 */
import { observeJpegDecodes } from "../pipelines/edge/jpeg.ts";
import { Frame, GIF, Image } from "imagescript";
import { assert, assertEquals } from "./_assert.ts";
import { loadScaledImage } from "../stages.ts";
import { readExifOrientation } from "../lib/exif.ts";
import { readImageHeader } from "../lib/image_header.ts";

const N = Number(Deno.env.get("FUZZ_N") ?? 10_000);
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 4);
/** Pixel limit of the run: the seeds hold 384 to 768 pixels, so a mutated size easily exceeds it. */
const LIMIT = 4096;
/** A call taking this long is a hang, not slowness (seeds decode in about a millisecond). */
const HANG_MS = 10_000;

/** mulberry32: a small seeded generator, so that a failing input can be made again. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};

const pattern = (w: number, h: number): Image => {
  const img = new Image(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      img.bitmap.set([x * 9, y * 13, (x * y) & 255, 255], (y * w + x) * 4);
    }
  }
  return img;
};

const withExif = (jpeg: Uint8Array, orientation: number): Uint8Array => {
  const app1 = new Uint8Array([
    0xff,
    0xe1,
    0,
    34,
    0x45,
    0x78,
    0x69,
    0x66,
    0,
    0, // APP1, "Exif\0\0"
    0x49,
    0x49,
    42,
    0,
    8,
    0,
    0,
    0,
    1,
    0,
    0x12,
    0x01,
    3,
    0,
    1,
    0,
    0,
    0,
    orientation,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  const out = new Uint8Array(jpeg.length + app1.length);
  out.set(jpeg.subarray(0, 2));
  out.set(app1, 2);
  out.set(jpeg.subarray(2), 2 + app1.length);
  return out;
};

const seeds = async (): Promise<Uint8Array[]> => {
  const fixtures = new URL("../fixtures/images/", import.meta.url);
  const gif = new GIF([Frame.from(pattern(16, 24), 100)]);
  return [
    await pattern(24, 16).encodeJPEG(90),
    withExif(await pattern(32, 24).encodeJPEG(60), 6),
    await pattern(24, 16).encode(),
    await pattern(16, 24).encode(3),
    await gif.encode(),
    await Deno.readFile(new URL("progressive.jpg", fixtures)),
    await Deno.readFile(new URL("cmyk.jpg", fixtures)),
    await Deno.readFile(new URL("gray.jpg", fixtures)),
  ];
};

/** Offsets of JPEG frame headers (SOF0-3) and of the size fields of PNG IHDR / GIF screen. */
const sizeFields = (b: Uint8Array): number[] => {
  if (b[0] === 0x89) return [16, 20];
  if (b[0] === 0x47) return [6, 8];
  const out: number[] = [];
  for (let i = 2; i + 8 < b.length; i++) {
    if (b[i] === 0xff && b[i + 1] >= 0xc0 && b[i + 1] <= 0xc3) out.push(i + 5, i + 7);
  }
  return out;
};

type Mutant = { bytes: Uint8Array; kind: string; huge: boolean };

const mutate = (seed: Uint8Array, r: () => number): Mutant => {
  const at = (n: number) => Math.floor(r() * n);
  const b = seed.slice();
  const big = () => LIMIT + 1 + at(60000);
  switch (at(8)) {
    case 0:
      return { bytes: b.slice(0, at(b.length)), kind: "truncate", huge: false };
    case 1:
      for (let k = 0, n = 1 + at(8); k < n; k++) b[at(b.length)] = at(256);
      return { bytes: b, kind: "flip", huge: false };
    case 2: {
      const p = at(b.length);
      const junk = Uint8Array.from({ length: 1 + at(64) }, () => at(256));
      const out = new Uint8Array(b.length + junk.length);
      out.set(b.subarray(0, p));
      out.set(junk, p);
      out.set(b.subarray(p), p + junk.length);
      return { bytes: out, kind: "insert", huge: false };
    }
    case 3: {
      const p = at(b.length), n = 1 + at(32);
      return {
        bytes: new Uint8Array([...b.subarray(0, p), ...b.subarray(p + n)]),
        kind: "delete",
        huge: false,
      };
    }
    case 4: { // a declared size over the limit in a real size field (both sides at least 65)
      const f = sizeFields(b);
      if (f.length === 0) return { bytes: b, kind: "unchanged", huge: false };
      const v = new DataView(b.buffer);
      const w = Math.max(65, Math.ceil(big() / 64)), h = Math.ceil(LIMIT / w) + 1 + at(200);
      const k = 2 * at(f.length / 2);
      const le = b[0] === 0x47;
      if (b[0] === 0x89) (v.setUint32(f[k], w), v.setUint32(f[k + 1], h));
      else (v.setUint16(f[k], w, le), v.setUint16(f[k + 1], h, le));
      return { bytes: b, kind: "huge-size", huge: true };
    }
    case 5: { // any size field, any value (small, zero, or huge)
      const f = sizeFields(b);
      if (f.length === 0) return { bytes: b, kind: "unchanged", huge: false };
      b[f[at(f.length)] + at(2)] = at(256);
      return { bytes: b, kind: "size", huge: false };
    }
    case 6: { // a second frame header declaring a huge size, or a damaged IHDR
      if (b[0] === 0x89) {
        b[8 + at(8)] = at(256);
        return { bytes: b, kind: "ihdr", huge: false };
      }
      if (b[0] === 0x47) { // a GIF: a second image descriptor of 65000 x 65000 before the trailer
        const frame = [0x2c, 0, 0, 0, 0, 0xe8, 0xfd, 0xe8, 0xfd, 0, 2, 0];
        const bytes = new Uint8Array([...b.subarray(0, b.length - 1), ...frame, 0x3b]);
        return { bytes, kind: "second-frame", huge: true };
      }
      const f = sizeFields(b);
      if (f.length === 0) return { bytes: b, kind: "unchanged", huge: false };
      const sof = f[0] - 5, len = (b[sof + 2] << 8) | b[sof + 3];
      const extra = b.slice(sof, sof + 2 + len);
      extra.set([0xfd, 0xe8, 0xfd, 0xe8], 5); // 65000 x 65000
      const p = sof + 2 + len; // right after the first
      return {
        bytes: new Uint8Array([...b.subarray(0, p), ...extra, ...b.subarray(p)]),
        kind: "second-sof",
        huge: true,
      };
    }
    default: { // a segment or chunk length field changed
      const lens: number[] = [];
      if (b[0] === 0xff) {
        for (let i = 2; i + 3 < b.length; i++) {
          if (b[i] === 0xff && b[i + 1] >= 0xc0) lens.push(i + 2);
        }
      } else if (b[0] === 0x89) {
        for (let i = 8; i + 8 <= b.length;) {
          (lens.push(i), i += 12 + new DataView(b.buffer).getUint32(i));
        }
      }
      if (lens.length === 0) return { bytes: b, kind: "unchanged", huge: false };
      b[lens[at(lens.length)] + at(b[0] === 0x89 ? 4 : 2)] = at(256);
      return { bytes: b, kind: "length", huge: false };
    }
  }
};

Deno.test(`loadImage() survives ${N} mutated JPEG, PNG and GIF inputs within its pixel limit`, async () => {
  const r = rng(SEED);
  const inputs = await seeds();
  const calls: { pixels: number }[] = [];
  const decode = Image.decode, decodeGif = GIF.decode;
  Image.decode = async (b: Uint8Array) => {
    const call = { pixels: -1 };
    calls.push(call);
    const img = await decode.call(Image, b);
    call.pixels = img.width * img.height;
    return img;
  };
  GIF.decode = async (b: Uint8Array, first?: boolean) => {
    const call = { pixels: -1 };
    calls.push(call);
    const gif = await decodeGif.call(GIF, b, first);
    call.pixels = Math.max(0, ...Array.from(gif, (f) => f.width * f.height));
    return gif;
  };
  observeJpegDecodes((pixels) => calls.push({ pixels }));
  const outcomes = new Map<string, number>();
  const rss0 = Deno.memoryUsage().rss;
  let slowest = 0, hugeDecoded = 0;
  try {
    for (let i = 0; i < N; i++) {
      const m = mutate(inputs[i % inputs.length], r);
      const what = `input ${i} (${m.kind} of seed ${i % inputs.length}, seed ${SEED})`;
      readImageHeader(m.bytes); // the parsers themselves must never throw
      readExifOrientation(m.bytes);
      const before = calls.length;
      const t0 = performance.now();
      const options = i % 4 === 3 ? { downscale: true, maxDecodePixels: LIMIT } : {};
      const out = await loadScaledImage(m.bytes, i % 4 === 3 ? LIMIT >> 3 : LIMIT, options);
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      assert(ms < HANG_MS, `${what} took ${ms} ms`);
      if (m.huge && calls.length > before) hugeDecoded++;
      for (const c of calls.slice(before)) {
        assert(c.pixels <= LIMIT, `${what}: decoded ${c.pixels} px`);
      }
      if (out._tag === "Right") {
        const { image } = out.right;
        assertEquals(image.data.length, image.width * image.height * 3, what);
        assert(image.width * image.height <= LIMIT, what);
      } else {
        assert(["DecodeError", "InputError"].includes(out.left._tag), `${what}: ${out.left._tag}`);
        assert(out.left.message.startsWith(`${m.bytes.length} bytes: `), out.left.message);
      }
      const key = `${m.kind} ${out._tag === "Right" ? "ok" : out.left._tag}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
  } finally {
    Image.decode = decode;
    GIF.decode = decodeGif;
    observeJpegDecodes(undefined);
  }
  const grown = (Deno.memoryUsage().rss - rss0) / 2 ** 20;
  console.log(
    `${N} inputs, ${calls.length} decoder calls, slowest ${slowest.toFixed(0)} ms, ` +
      `RSS +${grown.toFixed(0)} MiB`,
  );
  console.log([...outcomes].sort().map(([k, n]) => `${k}: ${n}`).join(", "));
  assertEquals(hugeDecoded, 0, "inputs declaring sizes over the limit reached the decoder");
  assert(outcomes.get("huge-size InputError")! > 0 && outcomes.get("second-sof InputError")! > 0);
  assert(grown < 256, `RSS grew by ${grown} MiB`);
});
