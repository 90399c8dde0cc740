/**
 * WIDER FACE's difficulty splits: for each setting (easy, medium, hard), per image, the
 * 0-based indices of the faces that the official evaluation counts (from the official
 * `eval_tools/ground_truth/wider_{easy,medium,hard}_val.mat`, as JSON).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";

/** Per setting name, per image base name (`0_Parade_marchingband_1_465.jpg`), face indices. */
export type WiderSplits = Readonly<Record<string, ReadonlyMap<string, readonly number[]>>>;

/**
 * The key an image is looked up by in {@linkcode WiderSplits}: its last path component (`/` or
 * `\` separated), so that flat image folders match the splits' `event/name.jpg` paths.
 *
 * @example
 * ```ts
 * import { splitKey } from "@mtcnn/mtcnn/eval";
 * console.log(splitKey("0--Parade/0_Parade_marchingband_1_465.jpg")); // 0_Parade_marchingband_1_465.jpg
 * ```
 */
export const splitKey = (path: string): string =>
  path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);

const isIndexList = (u: unknown): u is number[] =>
  Array.isArray(u) && u.every((i) => Number.isSafeInteger(i) && i >= 0);

/**
 * Reads the splits JSON `{"splits": {"easy": {"0--Parade/x.jpg": [0, 2], ...}, ...}}` (the
 * top-level `splits` wrapper is optional). Images are keyed by base name, so flat image
 * folders match; two images with the same base name are a FormatError, as is any value that
 * is not a list of non-negative integers.
 *
 * @example
 * ```ts
 * import { parseWiderSplits } from "@mtcnn/mtcnn/eval";
 * const r = parseWiderSplits({ splits: { easy: { "0--Parade/a.jpg": [0] } } }, "splits.json");
 * if (r._tag === "Right") console.log(r.right.easy.get("a.jpg")); // [0]
 * ```
 */
export const parseWiderSplits = (json: unknown, file: string): Result<MtcnnError, WiderSplits> => {
  const fail = (m: string) => E.left(mtcnnError("FormatError", `${file}: ${m}`));
  const root = (json as { splits?: unknown } | null)?.splits ?? json;
  if (typeof root !== "object" || root === null || Array.isArray(root)) {
    return fail("expected an object of settings (easy, medium, hard)");
  }
  const out: Record<string, Map<string, readonly number[]>> = {};
  for (const [setting, images] of Object.entries(root)) {
    if (typeof images !== "object" || images === null || Array.isArray(images)) {
      return fail(`setting "${setting}" is not an object of image -> face indices`);
    }
    const map = new Map<string, readonly number[]>();
    for (const [path, indices] of Object.entries(images)) {
      if (!isIndexList(indices)) return fail(`${setting} / ${path}: not a list of face indices`);
      const key = splitKey(path);
      if (map.has(key)) return fail(`${setting}: two images named ${key}`);
      map.set(key, indices);
    }
    out[setting] = map;
  }
  if (Object.keys(out).length === 0) return fail("no settings");
  return E.right(out);
};
