/**
 * Helpers of the weights-format tests: fixture paths, the fixtures' recomputable contents,
 * `../shared` and Python detection, and a seeded PRNG.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Result } from "../mod.ts";

/** A path under `fixtures/`. */
export const fixture = (rel: string): string =>
  fileURLToPath(new URL(`../fixtures/${rel}`, import.meta.url));

/** The folder of the Python package's real weight files, when `../shared` is present. */
export const LZ4_WEIGHTS_DIR: string = fileURLToPath(
  new URL("../../shared/data/mtcnn_lz4_weights/", import.meta.url),
);

/** True when the real `.lz4` files are present (developers and CI; not a user's clone). */
export const HAS_LZ4_WEIGHTS: boolean = existsSync(LZ4_WEIGHTS_DIR + "onet.lz4");

/** Debian's Python, which has python3-joblib, python3-lz4 and python3-numpy in CI. */
export const PYTHON = "/usr/bin/python3";

/** True when /usr/bin/python3 can import joblib, lz4 and numpy. */
export const HAS_PYTHON_JOBLIB: boolean = (() => {
  try {
    const r = new Deno.Command(PYTHON, {
      args: ["-c", "import joblib, lz4.frame, numpy"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return r.success;
  } catch {
    return false;
  }
})();

/** Runs Python code with arguments; returns stdout, throwing with stderr on failure. */
export const python = async (code: string, args: string[] = []): Promise<string> => {
  const r = await new Deno.Command(PYTHON, { args: ["-c", code, ...args] }).output();
  const err = new TextDecoder().decode(r.stderr);
  if (!r.success) throw new Error(`python failed: ${err}`);
  return new TextDecoder().decode(r.stdout);
};

/** The value of a Right, failing the test on a Left. */
export const right = <E, A>(r: Result<E, A>): A => {
  if (r._tag === "Left") throw new Error(`expected Right, got ${JSON.stringify(r.left)}`);
  return r.right;
};

/** The error of a Left, failing the test on a Right. */
export const left = <E, A>(r: Result<E, A>): E => {
  if (r._tag === "Right") throw new Error("expected Left, got Right");
  return r.left;
};

/** Element i (C order) of fixture array k: make_joblib_fixtures.py's `value(k, i)`. */
export const fixtureValue = (k: number, i: number): number =>
  ((k * 7919 + i * 104729) % 2001 - 1000) / 64;

/** make_joblib_fixtures.py's `text_payload(n)`. */
export const textPayload = (n: number): Uint8Array => {
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const line = `line ${i % 257} of the mtcnn lz4 test, value ${(i * 7) % 1000}\n`;
    parts.push(line);
    len += line.length;
  }
  return new TextEncoder().encode(parts.join("")).slice(0, n);
};

/** make_joblib_fixtures.py's `noise_payload(n)`: xorshift32 bytes. */
export const noisePayload = (n: number, seed = 2463534242): Uint8Array => {
  let x = seed >>> 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = x & 0xff;
  }
  return out;
};

/** A seeded PRNG (mulberry32) giving floats in [0, 1). */
export const prng = (seed: number): () => number => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** SHA-256 of bytes as hex. */
export const sha256 = async (b: Uint8Array): Promise<string> =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", b.slice()))]
    .map((x) => x.toString(16).padStart(2, "0")).join("");

/** A fresh temporary folder, removed by the returned function. */
export const tempDir = async (): Promise<[string, () => Promise<void>]> => {
  const d = await Deno.makeTempDir({ prefix: "mtcnn_weights_test_" });
  return [d, () => Deno.remove(d, { recursive: true })];
};
