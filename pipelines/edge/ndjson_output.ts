/**
 * An append-only NDJSON results file keyed by each line's `"image"`, for runs that are killed
 * and resumed. Lines are appended with one write each; a run killed mid-line leaves at most a
 * partial last line, which {@linkcode openNdjsonOutput} cuts off on resume. The file is not
 * rewritten through a temporary file (as `atomic.ts` does for whole files): it grows for hours,
 * and the repair on resume gives the same guarantee, whole lines only.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { Result } from "../../lib/result.ts";

/** An open results file. */
export interface NdjsonOutput {
  /** True when a line for `image` is in the file (from an earlier run or this one). */
  has(image: string): boolean;
  /** Appends one record (it must have a string `image`) as one line. */
  append(record: { readonly image: string }): Promise<void>;
  /** Images found in the file when it was opened. */
  readonly resumed: number;
  /** Bytes of a partial last line that were cut off when it was opened. */
  readonly repairedBytes: number;
  /** Flushes to disk and closes. */
  close(): Promise<void>;
}

// Our lines start with the image name; other writers' lines are parsed whole.
const IMAGE_PREFIX = /^\{"image":("(?:[^"\\]|\\.)*")/;

/** The `image` of one line, or undefined for a line that is not one of ours. */
export const imageOfLine = (line: string): string | undefined => {
  try {
    const m = IMAGE_PREFIX.exec(line);
    const image = m ? JSON.parse(m[1]) : JSON.parse(line)?.image;
    return typeof image === "string" ? image : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Reads the images of an existing file, streamed, and the length of its whole lines (a last
 * line without its newline is a partial one from a killed run).
 */
export const scanNdjson = async (
  path: string,
): Promise<{ images: Set<string>; wholeBytes: number; size: number }> => {
  const images = new Set<string>();
  const file = await Deno.open(path, { read: true });
  const dec = new TextDecoder();
  let size = 0;
  let wholeBytes = 0;
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  for await (const chunk of file.readable) {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      pending.push(chunk.subarray(start, nl));
      pendingLength += nl - start;
      const bytes = new Uint8Array(pendingLength);
      let off = 0;
      for (const p of pending) bytes.set(p, off), off += p.length;
      const image = imageOfLine(dec.decode(bytes));
      if (image !== undefined) images.add(image);
      wholeBytes = size + nl + 1;
      pending = [];
      pendingLength = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.slice(start));
      pendingLength += chunk.length - start;
    }
    size += chunk.length;
  }
  return { images, wholeBytes, size };
};

const exists = async (path: string): Promise<boolean> => {
  try {
    return (await Deno.stat(path)).size > 0;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
};

/**
 * Opens `path` for appending. Without `resume` an existing non-empty file is refused (an
 * `OptionError`: never overwritten); with it, its images are read and a partial last line is
 * cut off.
 */
export const openNdjsonOutput = async (
  path: string,
  resume: boolean,
): Promise<Result<MtcnnError, NdjsonOutput>> => {
  try {
    let images = new Set<string>();
    let repairedBytes = 0;
    if (await exists(path)) {
      if (!resume) {
        return E.left(mtcnnError(
          "OptionError",
          `${path} exists: add --resume to go on with it, or give another file`,
        ));
      }
      const scan = await scanNdjson(path);
      images = scan.images;
      repairedBytes = scan.size - scan.wholeBytes;
      if (repairedBytes > 0) await Deno.truncate(path, scan.wholeBytes);
    }
    const resumed = images.size;
    const file = await Deno.open(path, { append: true, create: true });
    const enc = new TextEncoder();
    return E.right({
      has: (image) => images.has(image),
      append: async (record) => {
        const bytes = enc.encode(JSON.stringify(record) + "\n");
        for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
        images.add(record.image);
      },
      resumed,
      repairedBytes,
      close: async () => {
        try {
          await file.sync();
        } finally {
          file.close();
        }
      },
    });
  } catch (e) {
    return E.left(mtcnnError("IoError", `${path}: cannot open for results (${describe(e)})`, e));
  }
};
