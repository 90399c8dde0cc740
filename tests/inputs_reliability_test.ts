/**
 * Hostile and unusual image inputs (issue 4): every one loads correctly or gives a typed error
 * with a clear message, and a batch goes on past the bad ones. Fixtures are made here (PNG by
 * hand, JPEG with imagescript) or, for the JPEG kinds imagescript cannot write, by
 * fixtures/images/make_images.py.
 */
import { IVAN } from "./_faces.ts";
import { observeJpegDecodes } from "../pipelines/edge/jpeg.ts";
import * as tf from "@tensorflow/tfjs";
import { Image } from "imagescript";
import { assert, assertEquals } from "./_assert.ts";
import type { Detection, ImageInput, MtcnnError, Result, RgbImage } from "../mod.ts";
import { iou } from "../lib/nms.ts";
import { loadImage, loadScaledImage } from "../stages.ts";
import { readExifOrientation } from "../lib/exif.ts";
import { makeDetector, noteSharedSkip } from "./_shared.ts";

noteSharedSkip("inputs_reliability_test.ts");

const FIXTURES = new URL("../fixtures/images/", import.meta.url);

const load = async (input: ImageInput, max?: number): Promise<RgbImage> => {
  const r = await loadImage(input, max);
  if (r._tag === "Left") throw new Error(r.left.message);
  return r.right;
};

const failure = async (input: ImageInput, max?: number): Promise<MtcnnError> => {
  const r = await loadImage(input, max);
  if (r._tag === "Right") {
    throw new Error(`expected a failure, got ${r.right.width}x${r.right.height}`);
  }
  return r.left;
};

const pixel = (
  img: RgbImage,
  x: number,
  y: number,
): number[] => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];

const near = (a: number[], b: number[], tol: number): boolean =>
  a.every((v, k) => Math.abs(v - b[k]) <= tol);

// ---- encoders for fixtures ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Uint8Array): number =>
  (b.reduce((c, v) => CRC_TABLE[(c ^ v) & 0xff] ^ (c >>> 8), 0xffffffff) ^ 0xffffffff) >>> 0;

const zlib = async (b: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(
    await new Response(
      new Blob([b as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new CompressionStream("deflate"),
      ),
    )
      .arrayBuffer(),
  );

const chunk = (type: string, data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
};

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
};

/** A PNG from raw scanlines (filter byte 0 added here), any depth and colour type. */
const png = async (
  w: number,
  h: number,
  depth: number,
  colorType: number,
  rows: Uint8Array[],
  extra: Uint8Array[] = [],
): Promise<Uint8Array> => {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, w);
  v.setUint32(4, h);
  ihdr.set([depth, colorType, 0, 0, 0], 8);
  const raw = concat(...rows.map((r) => concat(new Uint8Array([0]), r)));
  return concat(
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    ...extra,
    chunk("IDAT", await zlib(raw)),
    chunk("IEND", new Uint8Array(0)),
  );
};

const imageOf = (img: RgbImage): Image => {
  const out = new Image(img.width, img.height);
  for (let i = 0; i < img.width * img.height; i++) {
    out.bitmap.set([...img.data.subarray(i * 3, i * 3 + 3), 255], i * 4);
  }
  return out;
};

/** The test pattern of fixtures/images/make_images.py: (8x, 10y, 128) on 32 x 24. */
const gradient = (): RgbImage => {
  const data = new Uint8Array(32 * 24 * 3);
  for (let y = 0; y < 24; y++) {
    for (let x = 0; x < 32; x++) data.set([8 * x, 10 * y, 128], (y * 32 + x) * 3);
  }
  return { width: 32, height: 24, data };
};

const jpegOf = (img: RgbImage, quality = 95): Promise<Uint8Array> =>
  imageOf(img).encodeJPEG(quality);

/** An APP1 Exif segment holding only IFD0's Orientation, inserted after the JPEG's SOI. */
const withExif = (jpeg: Uint8Array, orientation: number, littleEndian: boolean): Uint8Array => {
  const tiff = new Uint8Array(26);
  const v = new DataView(tiff.buffer);
  tiff.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d]);
  v.setUint16(2, 42, littleEndian);
  v.setUint32(4, 8, littleEndian); // IFD0 right after the header
  v.setUint16(8, 1, littleEndian); // one entry
  v.setUint16(10, 0x0112, littleEndian); // Orientation
  v.setUint16(12, 3, littleEndian); // SHORT
  v.setUint32(14, 1, littleEndian); // count 1
  v.setUint16(18, orientation, littleEndian);
  const app1 = concat(
    new Uint8Array([0xff, 0xe1, 0, 0]),
    new TextEncoder().encode("Exif\0\0"),
    tiff,
  );
  new DataView(app1.buffer).setUint16(2, app1.length - 2);
  return concat(jpeg.subarray(0, 2), app1, jpeg.subarray(2));
};

/**
 * The stored pixels of a displayed image under an EXIF orientation, built from the standard's
 * wording (where the stored 0th row and 0th column are in the displayed picture), independently
 * of lib/orientation.ts.
 */
const SIDES: Record<number, [string, string]> = {
  1: ["top", "left"],
  2: ["top", "right"],
  3: ["bottom", "right"],
  4: ["bottom", "left"],
  5: ["left", "top"],
  6: ["right", "top"],
  7: ["right", "bottom"],
  8: ["left", "bottom"],
};
const storedFor = (shown: RgbImage, orientation: number): RgbImage => {
  const [row0, col0] = SIDES[orientation];
  const { width: W, height: H } = shown;
  const swap = row0 === "left" || row0 === "right";
  const sw = swap ? H : W, sh = swap ? W : H;
  const data = new Uint8Array(W * H * 3);
  for (let r = 0; r < sh; r++) {
    for (let c = 0; c < sw; c++) {
      const x = swap ? (row0 === "left" ? r : W - 1 - r) : (col0 === "left" ? c : W - 1 - c);
      const y = swap ? (col0 === "top" ? c : H - 1 - c) : (row0 === "top" ? r : H - 1 - r);
      data.set(shown.data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3), (r * sw + c) * 3);
    }
  }
  return { width: sw, height: sh, data };
};

// ---- tests ----

Deno.test("loadImage() names an empty file and a text file called .jpg as DecodeErrors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/empty.png`, new Uint8Array(0));
    await Deno.writeTextFile(`${dir}/note.jpg`, "Dear diary, today I saved a text file as .jpg\n");
    const empty = await failure(`${dir}/empty.png`);
    assertEquals(empty._tag, "DecodeError");
    assert(empty.message.endsWith("empty.png: the file is empty"), empty.message);
    const text = await failure(`${dir}/note.jpg`);
    assertEquals(text._tag, "DecodeError");
    assert(text.message.includes("note.jpg: not a JPEG, PNG, GIF or TIFF image"), text.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadImage() gives a DecodeError for JPEG and PNG cut off anywhere", async () => {
  const jpeg = await jpegOf(gradient());
  const pngBytes = await imageOf(gradient()).encode();
  for (const [name, bytes] of [["JPEG", jpeg], ["PNG", pngBytes]] as const) {
    // In the signature, in the header, and at three points of the pixel data (which ends at
    // the JPEG's EOI, or at the end of the PNG's IDAT chunk data).
    const idat = bytes.findIndex((v, i) =>
      v === 0x49 && String.fromCharCode(...bytes.subarray(i, i + 4)) === "IDAT"
    );
    const data = name === "JPEG"
      ? bytes.length - 2
      : idat + 4 + new DataView(bytes.buffer).getUint32(idat - 4);
    for (const n of [1, 3, 20, 40, data >> 1, data - 20, data - 1]) {
      const e = await failure(bytes.slice(0, n));
      assertEquals(e._tag, "DecodeError", `${name} cut at ${n}: ${e.message}`);
      assert(e.message.length > 20, e.message);
    }
  }
  const cut = await failure(jpeg.slice(0, jpeg.length >> 1));
  assert(cut.message.includes("cannot decode JPEG: the file is cut off"), cut.message);
  // A PNG missing only its IEND chunk holds every pixel: it loads.
  const noEnd = await load(pngBytes.slice(0, pngBytes.length - 12));
  assertEquals(noEnd.data, (await load(pngBytes)).data);
});

Deno.test("loadImage() refuses damaged headers and survives byte flips in JPEG and PNG", async () => {
  const jpeg = await jpegOf(gradient());
  const pngBytes = await imageOf(gradient()).encode();
  const ihdr = pngBytes.slice();
  ihdr[13] = 0x58; // "IXDR"
  const e1 = await failure(ihdr);
  assert(e1._tag === "DecodeError" && e1.message.includes("13-byte IHDR"), e1.message);
  const sof = jpeg.slice();
  const at = sof.findIndex((v, i) => v === 0xff && sof[i + 1] === 0xc0);
  sof[at + 7] = sof[at + 8] = 0; // width 0
  const e2 = await failure(sof);
  assert(e2._tag === "DecodeError" && e2.message.includes("declares 0x24"), e2.message);
  // Every 7th byte flipped in turn: a correct image or a typed error, never an exception.
  for (const [name, bytes] of [["JPEG", jpeg], ["PNG", pngBytes]] as const) {
    const seen = new Set<string>();
    for (let i = 0; i < bytes.length; i += 7) {
      const b = bytes.slice();
      b[i] ^= 0x5a;
      const r = await loadImage(b);
      if (r._tag === "Right") {
        assertEquals(r.right.data.length, r.right.width * r.right.height * 3, name);
        seen.add("ok");
      } else {
        assert(r.left._tag === "DecodeError" || r.left._tag === "InputError", r.left.message);
        seen.add(r.left._tag);
      }
    }
    assert(seen.has("DecodeError"), `${name}: ${[...seen]}`);
  }
});

Deno.test("loadImage() reads 1x1 and 1x10000 PNG and JPEG, and detect() finds no face", async () => {
  const d = await makeDetector();
  const before = tf.memory().numTensors;
  for (const [w, h] of [[1, 1], [1, 10000], [10000, 1]]) {
    const img = { width: w, height: h, data: new Uint8Array(w * h * 3).fill(200) };
    for (const bytes of [await imageOf(img).encode(), await jpegOf(img)]) {
      const got = await load(bytes);
      assertEquals([got.width, got.height], [w, h]);
      assert(near(pixel(got, 0, h - 1), [200, 200, 200], 3), `${pixel(got, 0, h - 1)}`);
      const r = await d.detect(bytes);
      assert(r._tag === "Right" && r.right.faces.length === 0, `${w}x${h}`);
    }
  }
  assertEquals(tf.memory().numTensors, before);
  d.dispose();
});

Deno.test("loadImage() refuses over-limit PNG and JPEG headers, even with a second SOF", async () => {
  let decoded = 0;
  const decode = Image.decode;
  Image.decode = (b: Uint8Array) => (decoded++, decode.call(Image, b)) as ReturnType<typeof decode>;
  observeJpegDecodes(() => decoded++);
  try {
    const huge = await png(1, 1, 8, 0, [new Uint8Array([7])]);
    new DataView(huge.buffer).setUint32(16, 60000);
    new DataView(huge.buffer).setUint32(20, 60000);
    const e1 = await failure(huge);
    assert(e1._tag === "InputError" && e1.message.includes("60000x60000"), e1.message);
    // A small first frame header, then a second one declaring 65000 x 65000.
    const jpeg = await jpegOf(gradient());
    const at = jpeg.findIndex((v, i) => v === 0xff && jpeg[i + 1] === 0xc0);
    const len = (jpeg[at + 2] << 8) | jpeg[at + 3];
    const second = jpeg.slice(at, at + 2 + len);
    second.set([0xfd, 0xe8, 0xfd, 0xe8], 5);
    const two = concat(jpeg.subarray(0, at + 2 + len), second, jpeg.subarray(at + 2 + len));
    const e2 = await failure(two, 10_000_000);
    assert(e2._tag === "InputError" && e2.message.includes("65000x65000"), e2.message);
    const e3 = await failure(jpeg, 500);
    assert(e3.message.includes("32x24 is 768 pixels, more than the limit of 500"), e3.message);
    assertEquals(decoded, 0, "a decoder was called");
  } finally {
    Image.decode = decode;
    observeJpegDecodes(undefined);
  }
});

Deno.test("loadScaledImage() with downscale area-averages an over-limit image and says by how much", async () => {
  const img = { width: 300, height: 200, data: new Uint8Array(300 * 200 * 3) };
  for (let y = 0; y < 200; y++) {
    for (let x = 0; x < 300; x++) {
      img.data.set(x < 160 ? [250, 0, 0] : [0, 0, 250], (y * 300 + x) * 3);
    }
  }
  for (const input of [img, await imageOf(img).encode()]) {
    const r = await loadScaledImage(input, 6000, { downscale: true });
    assert(r._tag === "Right", r._tag === "Left" ? r.left.message : "");
    const { image, width, height, scaleX, scaleY } = r.right;
    assertEquals([image.width, image.height, width, height], [94, 63, 300, 200]);
    assert(Math.abs(scaleX - 94 / 300) < 1e-12 && Math.abs(scaleY - 63 / 200) < 1e-12);
    assertEquals(pixel(image, 10, 30), [250, 0, 0]);
    assertEquals(pixel(image, 80, 30), [0, 0, 250]);
    // Column 50 covers x in [159.6, 162.8): both halves.
    const mid = pixel(image, 50, 30);
    assert(mid[0] > 0 && mid[2] > 0, `${mid}`);
  }
  const big = await png(1, 1, 8, 0, [new Uint8Array([7])]);
  new DataView(big.buffer).setUint32(16, 30000);
  new DataView(big.buffer).setUint32(20, 30000);
  const r = await loadScaledImage(big, 1_000_000, { downscale: true, maxDecodePixels: 1e8 });
  assert(r._tag === "Left" && r.left.message.includes("maxDecodePixels"), JSON.stringify(r));
});

Deno.test("loadImage() reads grayscale PNG of 1, 8 and 16 bits, and grayscale JPEG", async () => {
  const g1 = await load(await png(8, 1, 1, 0, [new Uint8Array([0b10110000])]));
  assertEquals([0, 1, 2, 3, 4].map((x) => pixel(g1, x, 0)[0]), [255, 0, 255, 255, 0]);
  const g8 = await load(await png(2, 1, 8, 0, [new Uint8Array([17, 230])]));
  assertEquals([pixel(g8, 0, 0), pixel(g8, 1, 0)], [[17, 17, 17], [230, 230, 230]]);
  const g16 = await load(await png(2, 1, 16, 0, [new Uint8Array([0x12, 0x34, 0xff, 0x00])]));
  assertEquals([pixel(g16, 0, 0), pixel(g16, 1, 0)], [[18, 18, 18], [255, 255, 255]]);
  const jpeg = await load(new URL("gray.jpg", FIXTURES));
  const { data } = gradient();
  for (const [x, y] of [[0, 0], [31, 0], [5, 17], [31, 23]]) {
    const i = (y * 32 + x) * 3;
    const luma = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    const p = pixel(jpeg, x, y);
    assert(p[0] === p[1] && p[1] === p[2] && Math.abs(p[0] - luma) <= 6, `${x},${y}: ${p} ${luma}`);
  }
});

// 16-bit samples keep their high byte, as libpng's png_set_strip_16 and Pillow do.
Deno.test("loadImage() drops alpha of RGBA (8 and 16 bits) and keeps 16-bit samples' high byte", async () => {
  const rgba = await load(await png(1, 1, 8, 6, [new Uint8Array([10, 20, 30, 0])]));
  assertEquals(pixel(rgba, 0, 0), [10, 20, 30]);
  const rgba16 = new Uint8Array([0x80, 0, 0x40, 0, 0xff, 0xff, 0x12, 0x34]);
  assertEquals(pixel(await load(await png(1, 1, 16, 6, [rgba16])), 0, 0), [128, 64, 255]);
  const rgb16 = new Uint8Array([0x00, 0xff, 0x7f, 0xff, 0xff, 0x00]); // 255, 32767, 65280
  assertEquals(pixel(await load(await png(1, 1, 16, 2, [rgb16])), 0, 0), [0, 127, 255]);
  const gray16a = new Uint8Array([0xab, 0xcd, 0, 0]);
  assertEquals(pixel(await load(await png(1, 1, 16, 4, [gray16a])), 0, 0), [171, 171, 171]);
});

Deno.test("loadImage() reads palette PNG of 8 and 2 bits, with a tRNS chunk", async () => {
  const plte = chunk("PLTE", new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]));
  const trns = chunk("tRNS", new Uint8Array([255, 0]));
  const p8 = await load(await png(3, 1, 8, 3, [new Uint8Array([2, 0, 1])], [plte, trns]));
  assertEquals([0, 1, 2].map((x) => pixel(p8, x, 0)), [[0, 0, 255], [255, 0, 0], [0, 255, 0]]);
  const p2 = await load(await png(4, 1, 2, 3, [new Uint8Array([0b11100100])], [plte]));
  assertEquals([0, 1, 2, 3].map((x) => pixel(p2, x, 0)), [[9, 9, 9], [0, 0, 255], [0, 255, 0], [
    255,
    0,
    0,
  ]]);
  const bad = await png(1, 1, 8, 3, [new Uint8Array([0])]); // palette image without PLTE
  const e = await loadImage(bad);
  assert(
    e._tag === "Left" ? e.left._tag === "DecodeError" : e.right.width === 1,
    JSON.stringify(e),
  );
});

Deno.test("loadImage() reads progressive and CMYK JPEG (fixtures made with Pillow)", async () => {
  const want = gradient();
  for (const name of ["progressive.jpg", "cmyk.jpg"]) {
    const got = await load(new URL(name, FIXTURES));
    assertEquals([got.width, got.height], [32, 24]);
    for (const [x, y] of [[0, 0], [31, 0], [12, 9], [31, 23]]) {
      assert(
        near(pixel(got, x, y), pixel(want, x, y), 8),
        `${name} ${x},${y}: ${pixel(got, x, y)}`,
      );
    }
  }
});

Deno.test("readExifOrientation() reads the tag in both byte orders, 1 when absent or odd", async () => {
  const jpeg = await jpegOf(gradient());
  for (let o = 1; o <= 8; o++) {
    assertEquals(readExifOrientation(withExif(jpeg, o, true)), o);
    assertEquals(readExifOrientation(withExif(jpeg, o, false)), o);
  }
  assertEquals(readExifOrientation(jpeg), 1);
  assertEquals(readExifOrientation(withExif(jpeg, 9, true)), 1);
  assertEquals(readExifOrientation(withExif(jpeg, 6, true).slice(0, 30)), 1);
});

Deno.test("loadImage() applies all 8 EXIF orientations of a JPEG: displayed size and markers", async () => {
  // Displayed: 48 x 32, six 16 x 16 blocks of distinct colours.
  const COLORS = [[240, 20, 20], [20, 240, 20], [20, 20, 240], [240, 240, 20], [240, 20, 240], [
    20,
    240,
    240,
  ]];
  const shown = { width: 48, height: 32, data: new Uint8Array(48 * 32 * 3) };
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 48; x++) shown.data.set(COLORS[(y >> 4) * 3 + (x >> 4)], (y * 48 + x) * 3);
  }
  for (let o = 1; o <= 8; o++) {
    const stored = await jpegOf(storedFor(shown, o), 100);
    for (const le of [true, false]) {
      const img = await load(withExif(stored, o, le));
      assertEquals([img.width, img.height], [48, 32], `orientation ${o}`);
      for (let b = 0; b < 6; b++) {
        const p = pixel(img, (b % 3) * 16 + 8, Math.floor(b / 3) * 16 + 8);
        assert(near(p, COLORS[b], 40), `orientation ${o} block ${b}: ${p}`);
      }
    }
    const ignored = await loadImage(withExif(stored, o, true), undefined, {
      exifOrientation: false,
    });
    assert(ignored._tag === "Right" && ignored.right.width === (o >= 5 ? 32 : 48));
  }
});

const ok = (r: Result<MtcnnError, Detection>): Detection => {
  if (r._tag === "Left") throw new Error(r.left.message);
  return r.right;
};

Deno.test({
  name: "detect() on ivan.jpg turned and tagged with each EXIF orientation matches the upright",
  fn: async () => {
    const d = await makeDetector();
    const before = tf.memory().numTensors;
    // Cropped to 560 x 560, a multiple of JPEG's 16 x 16 blocks, so that turned images are
    // cut into the same blocks and re-encode alike.
    const ivan = await load(IVAN);
    const upright = { width: 560, height: 560, data: new Uint8Array(560 * 560 * 3) };
    for (let y = 0; y < 560; y++) {
      upright.data.set(ivan.data.subarray(y * 561 * 3, (y * 561 + 560) * 3), y * 560 * 3);
    }
    const want = ok(await d.detect(await jpegOf(upright, 100)));
    const [wx, wy, ww, wh] = want.faces[0].box;
    for (let o = 2; o <= 8; o++) {
      const got = ok(
        await d.detect(withExif(await jpegOf(storedFor(upright, o), 100), o, o % 2 === 0)),
      );
      assertEquals([got.width, got.height], [560, 560], `orientation ${o}`);
      assertEquals(got.faces.length, want.faces.length, `orientation ${o}`);
      const [x, y, w, h] = got.faces[0].box;
      const v = iou([x, y, x + w, y + h], [wx, wy, wx + ww, wy + wh]);
      const eyes = (["left_eye", "right_eye"] as const).map((k) => {
        const [ex, ey] = got.faces[0].keypoints![k];
        const [fx, fy] = want.faces[0].keypoints![k];
        return Math.hypot(ex - fx, ey - fy);
      });
      // JPEG re-encoding of turned pixels moves the box a little (IoU >= 0.87 seen); the
      // landmarks stay within a pixel.
      assert(
        v > 0.85,
        `orientation ${o}: IoU ${v}, box ${got.faces[0].box} vs ${want.faces[0].box}`,
      );
      assert(eyes.every((e) => e < 1.5), `orientation ${o}: eyes ${eyes} px away`);
    }
    // Control: the turned pixels without their orientation give no face at the upright box.
    const raw = ok(await d.detect(storedFor(upright, 6)));
    const at = (f: { box: readonly number[] }) => {
      const [x, y, w, h] = f.box;
      return iou([x, y, x + w, y + h], [wx, wy, wx + ww, wy + wh]);
    };
    assert(raw.faces.every((f) => at(f) < 0.1), JSON.stringify(raw.faces));
    assertEquals(tf.memory().numTensors, before);
    d.dispose();
  },
});

Deno.test("detectMany() goes on past empty, cut-off, text and over-limit inputs", async () => {
  const d = await makeDetector();
  const before = tf.memory().numTensors;
  const good = await jpegOf(gradient());
  const inputs: ImageInput[] = [
    new Uint8Array(0),
    good,
    good.slice(0, 100),
    new TextEncoder().encode("plain text"),
    { width: 2, height: 2, data: new Uint8Array(3) },
    await imageOf(gradient()).encode(),
  ];
  const rs = await d.detectMany(inputs);
  assertEquals(rs.map((r) => r._tag), ["Left", "Right", "Left", "Left", "Left", "Right"]);
  assertEquals(rs.map((r) => r._tag === "Left" && r.left._tag), [
    "DecodeError",
    false,
    "DecodeError",
    "DecodeError",
    "InputError",
    false,
  ]);
  const small = await d.detectMany([good, good], { maxPixels: 100 });
  assert(small.every((r) => r._tag === "Left" && r.left._tag === "InputError"));
  assertEquals(tf.memory().numTensors, before);
  d.dispose();
});

Deno.test("loadImage() refuses a pixel limit that is not a number >= 1", async () => {
  const img = { width: 1, height: 1, data: new Uint8Array(3) };
  for (const max of [NaN, 0, -5]) {
    const r = await loadImage(img, max);
    assert(r._tag === "Left" && r.left._tag === "OptionError", `${max}: ${JSON.stringify(r)}`);
  }
  const r = await loadImage(img, 10, { maxDecodePixels: NaN });
  assert(r._tag === "Left" && r.left.message.startsWith("maxDecodePixels must be >= 1"));
});
