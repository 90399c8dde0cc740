import { assertEquals } from "./_assert.ts";
import { decodeBase64, decodeBase64Loop, encodeBase64 } from "../lib/base64.ts";
import { rgbaToRgb } from "../lib/image.ts";

/** A seeded generator (mulberry32). */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Deno.test("decodeBase64 gives the plain loop's answer on valid, odd and broken inputs", () => {
  const next = rng(16);
  const cases = ["", "=", "Q", "QQ", "QR", "QR==", "QQ=", "QUJ", "QUI", "QUJD", "QQ====", "Q Q"];
  cases.push("QUJD\n", "QU=JD", "_-", "QUJ\u00a0D", "QUJ\u00e9", "QUJDR");
  for (let k = 0; k < 300; k++) {
    const n = Math.floor(next() * 40);
    let s = "";
    for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(next() * 64)];
    // now and then a foreign character, whitespace or padding somewhere
    if (next() < 0.3) {
      const at = Math.floor(next() * (s.length + 1));
      s = s.slice(0, at) + " \t=\n-_*"[Math.floor(next() * 7)] + s.slice(at);
    }
    if (next() < 0.3) s += "=".repeat(1 + Math.floor(next() * 3));
    cases.push(s);
  }
  for (const s of cases) {
    const expected = decodeBase64Loop(s.replace(/=+$/, ""));
    const got = decodeBase64(s);
    assertEquals(got === undefined ? undefined : [...got], expected && [...expected], s);
  }
  const bytes = Uint8Array.from({ length: 100_003 }, () => Math.floor(next() * 256));
  assertEquals(decodeBase64(encodeBase64(bytes)), bytes);
});

Deno.test("rgbaToRgb drops alpha, whatever the buffer's offset and the pixel count", () => {
  const next = rng(3);
  for (const pixels of [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 1000, 4097]) {
    for (const offset of [0, 1, 4]) {
      const buffer = new Uint8Array(offset + pixels * 4);
      for (let i = 0; i < buffer.length; i++) buffer[i] = Math.floor(next() * 256);
      for (
        const view of [
          new Uint8Array(buffer.buffer, offset),
          new Uint8ClampedArray(buffer.buffer, offset),
        ]
      ) {
        const expected = new Uint8Array(pixels * 3);
        for (let i = 0; i < pixels; i++) {
          for (let c = 0; c < 3; c++) expected[3 * i + c] = view[4 * i + c];
        }
        const got = rgbaToRgb(pixels, 1, view);
        assertEquals([got.width, got.height], [pixels, 1]);
        assertEquals(got.data, expected, `${pixels} pixels at offset ${offset}`);
      }
    }
  }
  // a plain array is taken too
  assertEquals(rgbaToRgb(2, 1, [1, 2, 3, 4, 5, 6, 7, 8]).data, Uint8Array.of(1, 2, 3, 5, 6, 7));
});
