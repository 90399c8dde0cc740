/**
 * Atomic file writes: the bytes go to a temporary file in the same folder, are flushed to
 * disk (fsync), and the temporary file is renamed over the target. Readers see the old file
 * or the new one, never a part; a crash leaves at most a stray `.*.tmp` file.
 *
 * @module
 */
import * as TE from "fp-ts/TaskEither.js";
import { basename, dirname, join } from "node:path";
import { fromUnknown, type MtcnnError } from "../../lib/errors.ts";
import type { TaskResult } from "../../lib/result.ts";

let counter = 0;

const tempPath = (path: string): string =>
  join(dirname(path), `.${basename(path)}.${Deno.pid}-${Date.now()}-${counter++}.tmp`);

/** Flushes the folder itself so that the rename survives a crash (not every OS allows it). */
const syncFolder = async (dir: string): Promise<void> => {
  try {
    const d = await Deno.open(dir, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  } catch {
    // Best effort: Windows, for one, cannot open a folder as a file.
  }
};

/**
 * Writes `bytes` to `path` atomically (temporary file in the same folder, fsync, rename).
 * Rejects, leaving any old file untouched and no temporary file behind, when it cannot.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "@mtcnn/mtcnn";
 * await writeFileAtomic("weights.lz4", new Uint8Array([1, 2, 3]));
 * ```
 */
export const writeFileAtomic = async (path: string, bytes: Uint8Array): Promise<void> => {
  const tmp = tempPath(path);
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(tmp, { write: true, createNew: true });
    for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
    await file.sync();
    file.close();
    file = undefined;
    await Deno.rename(tmp, path);
  } catch (e) {
    try {
      file?.close();
    } catch {
      // already closed
    }
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  await syncFolder(dirname(path));
};

/**
 * {@linkcode writeFileAtomic} as a TaskResult: an `IoError` naming the path instead of a
 * rejection.
 *
 * @example
 * ```ts
 * import { writeFileAtomicTask } from "@mtcnn/mtcnn";
 * const r = await writeFileAtomicTask("out.bin", new Uint8Array([0]))();
 * if (r._tag === "Left") console.error(r.left.message);
 * ```
 */
export const writeFileAtomicTask = (
  path: string,
  bytes: Uint8Array,
): TaskResult<MtcnnError, void> =>
  TE.tryCatch(() => writeFileAtomic(path, bytes), fromUnknown("IoError", `cannot write ${path}`));
