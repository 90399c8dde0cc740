/**
 * A small seeded pseudo-random generator whose whole state is one 32-bit number, so that it
 * can be saved in a checkpoint and restored exactly (mulberry32, Tommy Ettinger's public-domain
 * generator: period 2^32, good enough for sampling crops and shuffling).
 *
 * @module
 */

/** A seeded generator. `state` may be read and written to save and restore it. */
export interface Prng {
  /** The 32-bit state; the next outputs depend on nothing else. */
  state: number;
  /** A uniform float in [0, 1). */
  next(): number;
  /** A uniform integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number;
  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
}

/**
 * Makes a generator from a seed (any integer; the same seed gives the same sequence).
 *
 * @example
 * ```ts
 * import { makePrng } from "@mtcnn/mtcnn/train";
 * const r = makePrng(42);
 * const saved = r.state;
 * const a = r.next();
 * r.state = saved;
 * console.log(a === r.next()); // true
 * ```
 */
export const makePrng = (seed: number): Prng => {
  const r: Prng = {
    state: seed >>> 0,
    next() {
      r.state = (r.state + 0x6d2b79f5) >>> 0;
      let t = r.state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    int: (lo, hi) => lo + Math.floor(r.next() * (hi - lo + 1)),
    uniform: (lo, hi) => lo + r.next() * (hi - lo),
  };
  return r;
};

/** A generator for a sub-task, derived from a seed and integers (e.g. seed and epoch).
 *
 * @example
 * ```ts
 * import { derivePrng } from "@mtcnn/mtcnn/train";
 * console.log(derivePrng(1, 2).next() === derivePrng(1, 2).next()); // true
 * ```
 */
export const derivePrng = (seed: number, ...keys: readonly number[]): Prng => {
  let h = seed >>> 0;
  for (const k of keys) h = (Math.imul(h ^ (k >>> 0), 0x9e3779b1) ^ (h >>> 16)) >>> 0;
  const r = makePrng(h);
  r.next();
  return r;
};

/** Shuffles `a` in place (Fisher-Yates) with `r`, and returns it. */
export const shuffleInPlace = <T>(a: T[], r: Prng): T[] => {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
};
