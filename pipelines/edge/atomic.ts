/**
 * Atomic file writes: the bytes go to a temporary file in the same folder, are flushed to
 * disk (fsync), and the temporary file is renamed over the target. Readers see the old file
 * or the new one, never a part; a crash leaves at most a stray `.*.tmp` file.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

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
