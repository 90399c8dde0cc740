/**
 * Stored detections for `eval --predictions`: evaluate another run or another detector
 * without running ours.
 *
 * @module
 */
import { basename, extname } from "node:path";
import type { Face, Keypoints, Point } from "../mod.ts";

/** Faces per image key; boxes [x, y, w, h]. */
export type StoredDetections = ReadonlyMap<string, readonly Face[]>;

type Raw = Record<string, unknown>;

const num4 = (u: unknown): u is [number, number, number, number] =>
  Array.isArray(u) && u.length === 4 && u.every((v) => typeof v === "number");

const keypointsOf = (f: Raw): Keypoints | undefined => {
  if (f.keypoints && typeof f.keypoints === "object") return f.keypoints as Keypoints;
  const l = f.landmarks as Point[] | undefined;
  return Array.isArray(l) && l.length === 5
    ? { left_eye: l[0], right_eye: l[1], nose: l[2], mouth_left: l[3], mouth_right: l[4] }
    : undefined;
};

const faceOf = (f: Raw, xyxy: boolean, where: string): Face => {
  if (!num4(f.box)) throw new Error(`${where}: a face has no 4-number box`);
  const [a, b, c, d] = f.box;
  const score = typeof f.confidence === "number" ? f.confidence : f.score;
  if (typeof score !== "number") throw new Error(`${where}: a face has no confidence or score`);
  const keypoints = keypointsOf(f);
  return {
    box: xyxy ? [a, b, c - a, d - b] : [a, b, c, d],
    confidence: score,
    ...(keypoints ? { keypoints } : {}),
  };
};

/**
 * Parses stored detections: NDJSON as `detect` prints it (boxes x, y, w, h; one
 * `{"image", "faces"}` line per image), or JSON `{"images": {path: {"faces": [{"box":
 * [x1, y1, x2, y2], "score", "landmarks"}]}}}` (the shared reference files). Returns an error
 * message naming the file (and line) for malformed content.
 */
export const parsePredictions = (text: string, file: string): StoredDetections | string => {
  try {
    return parseOrThrow(text, file);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
};

const parseOrThrow = (text: string, file: string): StoredDetections => {
  const out = new Map<string, Face[]>();
  if ([".ndjson", ".jsonl"].includes(extname(file).toLowerCase())) {
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      const where = `${file}:${i + 1}`;
      let o: Raw;
      try {
        o = JSON.parse(line);
      } catch {
        throw new Error(`${where}: not a JSON line`);
      }
      if (typeof o.image !== "string" || !Array.isArray(o.faces)) {
        throw new Error(`${where}: expected {"image": path, "faces": [...]}`);
      }
      out.set(o.image, o.faces.map((f: Raw) => faceOf(f, false, where)));
    });
    return out;
  }
  let root: Raw;
  try {
    root = JSON.parse(text);
  } catch {
    throw new Error(`${file}: not JSON`);
  }
  const images = root?.images;
  if (typeof images !== "object" || images === null) throw new Error(`${file}: no "images" object`);
  for (const [path, v] of Object.entries(images as Record<string, Raw>)) {
    if (!Array.isArray(v?.faces)) throw new Error(`${file}: ${path} has no "faces" list`);
    out.set(path, v.faces.map((f: Raw) => faceOf(f, true, `${file}: ${path}`)));
  }
  return out;
};

/**
 * A lookup of the stored faces of an image path (relative to the evaluated image folder):
 * the key equal to it, else the one key ending with `/path`, else the one key with its base
 * name; undefined when none or several match.
 */
export const storedFaces = (
  stored: StoredDetections,
): (path: string) => readonly Face[] | undefined => {
  const byBase = new Map<string, string[]>();
  for (const k of stored.keys()) byBase.set(basename(k), [...(byBase.get(basename(k)) ?? []), k]);
  return (path) => {
    const exact = stored.get(path);
    if (exact) return exact;
    const same = byBase.get(basename(path)) ?? [];
    const suffix = same.filter((k) => k.endsWith(`/${path}`));
    const key = suffix.length === 1 ? suffix[0] : same.length === 1 ? same[0] : undefined;
    return key === undefined ? undefined : stored.get(key);
  };
};
