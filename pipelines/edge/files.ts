/**
 * Reading files, the one place the detection pipeline touches the file system.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { Result } from "../../lib/result.ts";

/** Reads a whole file; an IoError says which file and why. */
export const readBytes = async (path: string | URL): Promise<Result<MtcnnError, Uint8Array>> => {
  try {
    return E.right(await Deno.readFile(path));
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : e instanceof Deno.errors.IsADirectory
      ? "is a directory"
      : describe(e);
    return E.left(mtcnnError("IoError", `${String(path)}: cannot read (${why})`, e));
  }
};
