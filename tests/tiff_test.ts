import { IVAN } from "./_faces.ts";
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { decodeLzw } from "../lib/codecs/tiff.ts";
import { decodeRgb } from "../pipelines/edge/decode.ts";
import { loadImage } from "../pipelines/edge/load_image.ts";
import { makeDetector } from "./_shared.ts";

// TIFF files written byte by byte here (TIFF 6.0's layout), then, when ffmpeg is installed,
// files written by ffmpeg's TIFF encoder compared with the PNGs it writes of the same pixels.

type Field = [tag: number, type: 3 | 4, values: number[]];

/** A TIFF: header, pixel data, one IFD (fields sorted), values that do not fit after it. */
const tiff = (o: {
  le?: boolean;
  fields: Field[];
  strips: Uint8Array[];
  magic?: number;
}): Uint8Array => {
  const le = o.le ?? true;
  const stripBytes = o.strips.reduce((n, s) => n + s.length, 0);
  const fields = [...o.fields];
  const offsets: number[] = [];
  let at = 8;
  for (const s of o.strips) (offsets.push(at), (at += s.length));
  fields.push([273, 4, offsets], [279, 4, o.strips.map((s) => s.length)]);
  fields.sort((a, b) => a[0] - b[0]);
  const ifd = 8 + stripBytes + (stripBytes & 1);
  const extraAt = ifd + 2 + 12 * fields.length + 4;
  const extraSize = fields.reduce(
    (n, [, type, vals]) =>
      n + (vals.length * (type === 3 ? 2 : 4) > 4 ? vals.length * (type === 3 ? 2 : 4) : 0),
    0,
  );
  const b = new Uint8Array(extraAt + extraSize);
  const v = new DataView(b.buffer);
  b.set(le ? [0x49, 0x49] : [0x4d, 0x4d]);
  v.setUint16(2, o.magic ?? 42, le);
  v.setUint32(4, ifd, le);
  let p = 8;
  for (const s of o.strips) (b.set(s, p), (p += s.length));
  v.setUint16(ifd, fields.length, le);
  let extra = extraAt;
  fields.forEach(([tag, type, vals], k) => {
    const e = ifd + 2 + 12 * k;
    const size = type === 3 ? 2 : 4;
    v.setUint16(e, tag, le);
    v.setUint16(e + 2, type, le);
    v.setUint32(e + 4, vals.length, le);
    let w = e + 8;
    if (vals.length * size > 4) {
      (v.setUint32(e + 8, extra, le), (w = extra), (extra += vals.length * size));
    }
    for (const x of vals) (size === 2 ? v.setUint16(w, x, le) : v.setUint32(w, x, le), (w += size));
  });
  return b;
};

/** TIFF LZW written from the specification (section 13), for the tests only. */
const encodeLzw = (data: Uint8Array): Uint8Array => {
  const out: number[] = [];
  let acc = 0, nbits = 0, width = 9;
  const put = (code: number) => {
    acc = (acc << width) | code;
    nbits += width;
    while (nbits >= 8) (out.push((acc >>> (nbits - 8)) & 255), (nbits -= 8));
    acc &= (1 << nbits) - 1;
  };
  let table = new Map<string, number>();
  let next = 258;
  const reset = () => ((table = new Map()), (next = 258), (width = 9));
  put(256);
  let w = "";
  for (const byte of data) {
    const wc = w + String.fromCharCode(byte);
    if (w === "" || (wc.length === 1) || table.has(wc)) {
      w = wc;
      continue;
    }
    put(w.length === 1 ? w.charCodeAt(0) : table.get(w)!);
    table.set(wc, next++);
    // The decoder defines each entry one code later than the encoder: it reads code i + 1 at
    // 10 bits once it has 511 entries (TIFF's "early change"), that is once this side has 512.
    if (next >= 1 << width && width < 12) width++;
    if (next >= 4093) (put(256), reset());
    w = String.fromCharCode(byte);
  }
  if (w !== "") put(w.length === 1 ? w.charCodeAt(0) : table.get(w)!);
  // The decoder defines one more entry on the last code: EOI follows at its width.
  if (w !== "" && next < 4096) (next++, next >= 1 << width && width < 12 && width++);
  put(257);
  if (nbits > 0) out.push((acc << (8 - nbits)) & 255);
  return Uint8Array.from(out);
};

const deflate = async (d: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(
    await new Response(
      new Blob([d as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new CompressionStream("deflate"),
      ),
    ).arrayBuffer(),
  );

/** A W x H RGB test pattern that compresses but is not trivial. */
const W = 37, H = 11;
const RGB = Uint8Array.from({ length: W * H * 3 }, (_, i) => {
  const px = Math.floor(i / 3), x = px % W, y = Math.floor(px / W), c = i % 3;
  return c === 0 ? (x * 7) & 255 : c === 1 ? (y * 23) & 255 : ((x * y) ^ 0x5a) & 255;
});
const GRAY = Uint8Array.from({ length: W * H }, (_, i) => RGB[3 * i] ^ RGB[3 * i + 2]);

/** Rows split into strips of `rps` rows, `bytesPerRow` each. */
const stripsOf = (d: Uint8Array, rowBytes: number, rps: number): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let y = 0; y < H; y += rps) out.push(d.slice(y * rowBytes, Math.min(H, y + rps) * rowBytes));
  return out;
};

/** Horizontal differencing (predictor 2) of 8-bit rows. */
const predict8 = (d: Uint8Array, rowBytes: number, spp: number): Uint8Array => {
  const o = d.slice();
  for (let r = 0; r < d.length; r += rowBytes) {
    for (let i = rowBytes - 1; i >= spp; i--) o[r + i] = (d[r + i] - d[r + i - spp]) & 255;
  }
  return o;
};

const base = (
  spp: number,
  bps: number,
  photometric: number,
  rps: number,
  compression = 1,
): Field[] => [
  [256, 3, [W]],
  [257, 3, [H]],
  [258, 3, new Array(spp).fill(bps)],
  [259, 3, [compression]],
  [262, 3, [photometric]],
  [277, 3, [spp]],
  [278, 3, [rps]],
];

const rgbOf = async (bytes: Uint8Array) => {
  const r = await decodeRgb(bytes, "t.tif");
  assert(r._tag === "Right", r._tag === "Left" ? r.left.message : "");
  return r._tag === "Right" ? r.right : undefined;
};

/** Equal bytes, or a message naming the first difference (not two huge arrays). */
const same = (got: Uint8Array | undefined, want: Uint8Array, what = "") => {
  assert(got !== undefined, what);
  assertEquals(got!.length, want.length, `${what}: length`);
  const k = got!.findIndex((x, i) => x !== want[i]);
  assert(k < 0, `${what}: byte ${k} is ${got![k]}, expected ${want[k]}`);
};

const grayAsRgb = (g: Uint8Array) =>
  Uint8Array.from({ length: g.length * 3 }, (_, i) => g[Math.floor(i / 3)]);

Deno.test("TIFF: uncompressed RGB in several strips, both byte orders, decodes to its pixels", async () => {
  for (const le of [true, false]) {
    const img = await rgbOf(
      tiff({ le, fields: base(3, 8, 2, 4), strips: stripsOf(RGB, W * 3, 4) }),
    );
    assertEquals([img!.width, img!.height], [W, H]);
    same(img?.data, RGB);
  }
});

Deno.test("TIFF: LZW, Deflate and PackBits, with and without the horizontal predictor", async () => {
  const packBits = (d: Uint8Array) => {
    // Literal runs of at most 128 bytes (valid PackBits, if not the smallest).
    const out: number[] = [];
    for (let i = 0; i < d.length; i += 128) {
      out.push(Math.min(128, d.length - i) - 1, ...d.slice(i, i + 128));
    }
    return Uint8Array.from(out);
  };
  for (const predictor of [1, 2]) {
    const rows = predictor === 2 ? predict8(RGB, W * 3, 3) : RGB;
    const strips = stripsOf(rows, W * 3, 5);
    const extra: Field[] = predictor === 2 ? [[317, 3, [2]]] : [];
    const lzw = tiff({ fields: [...base(3, 8, 2, 5, 5), ...extra], strips: strips.map(encodeLzw) });
    same((await rgbOf(lzw))?.data, RGB, `LZW, predictor ${predictor}`);
    const zipped = await Promise.all(strips.map(deflate));
    for (const c of [8, 32946]) {
      const z = tiff({ fields: [...base(3, 8, 2, 5, c), ...extra], strips: zipped });
      same((await rgbOf(z))?.data, RGB, `Deflate ${c}, predictor ${predictor}`);
    }
    const pb = tiff({
      fields: [...base(3, 8, 2, 5, 32773), ...extra],
      strips: strips.map(packBits),
    });
    same((await rgbOf(pb))?.data, RGB, `PackBits, predictor ${predictor}`);
  }
});

Deno.test("decodeLzw() reads long inputs across code-width changes and table resets", () => {
  const long = Uint8Array.from({ length: 30000 }, (_, i) => ((i * 2654435761) >>> 26) + (i % 3));
  same(decodeLzw(encodeLzw(long), long.length) as Uint8Array, long);
  const typical = Uint8Array.from({ length: 20000 }, (_, i) => (i / 40) & 255);
  same(decodeLzw(encodeLzw(typical), typical.length) as Uint8Array, typical);
  assert(typeof decodeLzw(Uint8Array.from([0x80, 0x7f, 0xff, 0xff]), 10) === "string", "bad code");
});

Deno.test("TIFF: gray 8-bit (black and white is zero), 16-bit in both byte orders with predictor, 1-bit, palette", async () => {
  const g = await rgbOf(tiff({ fields: base(1, 8, 1, H), strips: [GRAY] }));
  same(g?.data, grayAsRgb(GRAY));
  const inv = await rgbOf(tiff({ fields: base(1, 8, 0, H), strips: [GRAY.map((x) => 255 - x)] }));
  same(inv?.data, grayAsRgb(GRAY));
  for (const le of [true, false]) {
    // 16-bit samples: value * 256 + value % 128 (high byte = value), differenced as 16-bit words.
    const words = Array.from(GRAY, (x) => x * 256 + (x & 0x7f));
    const d = new Uint8Array(words.length * 2);
    const v = new DataView(d.buffer);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        v.setUint16(2 * i, x === 0 ? words[i] : (words[i] - words[i - 1]) & 0xffff, le);
      }
    }
    const t = tiff({
      le,
      fields: [...base(1, 16, 1, 3, 5), [317, 3, [2]]],
      strips: stripsOf(d, W * 2, 3).map(encodeLzw),
    });
    same((await rgbOf(t))?.data, grayAsRgb(GRAY), `16-bit, ${le ? "II" : "MM"}`);
  }
  // RGB 16-bit with an alpha channel (extra sample), dropped.
  const rgba16 = new Uint8Array(W * H * 8);
  for (let i = 0; i < W * H; i++) {
    for (let c = 0; c < 3; c++) rgba16[8 * i + 2 * c + 1] = RGB[3 * i + c];
    rgba16[8 * i + 7] = 128;
  }
  const a = await rgbOf(tiff({ fields: [...base(4, 16, 2, H), [338, 3, [2]]], strips: [rgba16] }));
  same(a?.data, RGB);
  // Bilevel, 1 bit: rows padded to whole bytes.
  const rowBytes = Math.ceil(W / 8);
  const bits = new Uint8Array(rowBytes * H);
  const want = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if ((x + y) % 3 === 0) {
        (bits[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7), (want[y * W + x] = 255));
      }
    }
  }
  assertEquals(
    (await rgbOf(tiff({ fields: base(1, 1, 1, H), strips: [bits] })))!.data,
    grayAsRgb(want),
  );
  // Palette: 256 entries of 16-bit R, then G, then B.
  const map = [...Array(256).keys()].flatMap((k) => [k * 257]).concat(
    [...Array(256).keys()].map((k) => (255 - k) * 257),
    [...Array(256).keys()].map((k) => ((k * 3) & 255) * 257),
  );
  const pal = await rgbOf(tiff({ fields: [...base(1, 8, 3, H), [320, 3, map]], strips: [GRAY] }));
  assertEquals(
    pal!.data,
    Uint8Array.from(GRAY).reduce(
      (o, k, i) => (o.set([k, 255 - k, (k * 3) & 255], 3 * i), o),
      new Uint8Array(W * H * 3),
    ),
  );
});

Deno.test("TIFF: unsupported kinds and damaged files are DecodeErrors that say what (never a crash)", async () => {
  const ok = base(3, 8, 2, H);
  const strips = [RGB];
  const cases: [Uint8Array, string][] = [
    [tiff({ fields: base(3, 8, 2, H, 7), strips }), "JPEG is not supported"],
    [tiff({ fields: base(3, 8, 2, H, 4), strips }), "CCITT Group 4 fax is not supported"],
    [
      tiff({ fields: [...ok, [322, 3, [16]], [323, 3, [16]]], strips }),
      "tiled TIFF is not supported",
    ],
    [
      tiff({ fields: base(4, 8, 5, H), strips: [new Uint8Array(W * H * 4)] }),
      "separated (CMYK) colour is not supported",
    ],
    [tiff({ fields: base(3, 8, 6, H), strips }), "YCbCr colour is not supported"],
    [
      tiff({ fields: [...ok, [339, 3, [3, 3, 3]]], strips }),
      "floating-point samples are not supported",
    ],
    [tiff({ fields: [...ok, [284, 3, [2]]], strips }), "planar storage"],
    [tiff({ fields: base(3, 4, 2, H), strips }), "4 bits per sample is not supported"],
    [tiff({ fields: ok, strips, magic: 43 }), "BigTIFF is not supported"],
    [tiff({ fields: ok, strips: [RGB.slice(0, 100)] }), "strip 0 holds 100 bytes of pixels"],
    [
      tiff({ fields: base(3, 8, 2, H, 8), strips: [RGB.slice(0, 50)] }),
      "the Deflate data is corrupt",
    ],
    [
      tiff({
        fields: base(3, 8, 2, H, 5),
        strips: [Uint8Array.from([0x80, 0x7f, 0xff, 0xff, 0xff])],
      }),
      "the LZW data is corrupt",
    ],
    [tiff({ fields: base(1, 8, 3, H), strips: [GRAY] }), "a palette image without its colour map"],
  ];
  for (const [bytes, what] of cases) {
    const r = await decodeRgb(bytes, "t.tif");
    assert(r._tag === "Left", what);
    if (r._tag !== "Left") continue;
    assertEquals(r.left._tag, "DecodeError");
    assert(r.left.message.startsWith("t.tif: cannot decode TIFF: "), r.left.message);
    assert(r.left.message.includes(what), `${r.left.message} (wanted: ${what})`);
  }
  // Cut anywhere: a DecodeError or (cut in the IFD's trailing bytes) an image, never a throw.
  const whole = tiff({
    fields: base(3, 8, 2, 4, 5),
    strips: stripsOf(RGB, W * 3, 4).map(encodeLzw),
  });
  for (let n = 0; n < whole.length; n += 7) {
    const r = await loadImage(whole.slice(0, n));
    assert(r._tag === "Left" ? r.left._tag === "DecodeError" : r.right.width === W, `cut at ${n}`);
  }
  // Any byte changed: an image or a typed error (DecodeError, or InputError for a huge size).
  for (let k = 0; k < whole.length; k++) {
    const flipped = whole.slice();
    flipped[k] ^= 0xff;
    const r = await loadImage(flipped, 1_000_000);
    assert(
      r._tag === "Right" || r.left._tag === "DecodeError" || r.left._tag === "InputError",
      `byte ${k}: ${r._tag === "Left" ? r.left._tag : ""}`,
    );
  }
});

const hasFfmpeg = await new Deno.Command("ffmpeg", {
  args: ["-version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((o) => o.success, () => false);
if (!hasFfmpeg) {
  console.warn("tiff_test.ts: ffmpeg is not installed: the ffmpeg-written TIFF test is skipped");
}

Deno.test({
  name:
    "TIFF written by ffmpeg (raw, PackBits, LZW, Deflate; RGB, RGB 16, gray, gray 16, RGBA, palette) equals its PNG",
  ignore: !hasFfmpeg,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mtcnn_tiff_" });
    try {
      const ppm = join(dir, "src.ppm");
      await Deno.writeFile(
        ppm,
        new Uint8Array([...new TextEncoder().encode(`P6\n${W} ${H}\n255\n`), ...RGB]),
      );
      const ff = async (out: string, fmt: string, extra: string[] = []) => {
        const o = await new Deno.Command("ffmpeg", {
          args: ["-v", "error", "-y", "-i", ppm, "-pix_fmt", fmt, ...extra, out],
          stdout: "null",
          stderr: "piped",
        }).output();
        assert(o.success, new TextDecoder().decode(o.stderr));
      };
      for (const fmt of ["rgb24", "rgb48le", "gray", "gray16le", "rgba", "pal8", "monob"]) {
        const png = join(dir, `${fmt}.png`);
        await ff(png, fmt === "monob" ? "monob" : fmt);
        const want = await rgbOf(await Deno.readFile(png));
        for (const algo of ["raw", "packbits", "lzw", "deflate"]) {
          const tif = join(dir, `${fmt}_${algo}.tif`);
          await ff(tif, fmt, ["-compression_algo", algo]);
          const got = await rgbOf(await Deno.readFile(tif));
          assertEquals([got!.width, got!.height], [W, H], `${fmt} ${algo}`);
          same(got?.data, want!.data, `${fmt} ${algo}`);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "detect() on ivan.jpg's pixels as an LZW TIFF (written by ffmpeg) finds the JPEG's faces exactly",
  ignore: !hasFfmpeg,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mtcnn_tiff_" });
    const d = await makeDetector();
    try {
      const jpg = IVAN;
      const rgb = await rgbOf(await Deno.readFile(jpg));
      const ppm = join(dir, "ivan.ppm");
      const header = new TextEncoder().encode(`P6\n${rgb!.width} ${rgb!.height}\n255\n`);
      await Deno.writeFile(ppm, new Uint8Array([...header, ...rgb!.data]));
      const tif = join(dir, "ivan.tif");
      const o = await new Deno.Command("ffmpeg", {
        args: ["-v", "error", "-y", "-i", ppm, "-compression_algo", "lzw", tif],
        stderr: "piped",
      }).output();
      assert(o.success, new TextDecoder().decode(o.stderr));
      const [a, b] = [await d.detect(jpg), await d.detect(tif)];
      assert(a._tag === "Right" && b._tag === "Right", JSON.stringify([a, b]).slice(0, 300));
      if (a._tag !== "Right" || b._tag !== "Right") return;
      assertEquals(a.right.faces.length, 1);
      assertEquals(JSON.stringify(b.right.faces), JSON.stringify(a.right.faces));
    } finally {
      d.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
