/**
 * Reading "files" in a browser, in place of `../files.ts` in the browser bundle: a path or URL
 * is fetched (relative to the page or worker), and an HTTP error is an IoError naming the URL.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../../../lib/errors.ts";
import type { Result } from "../../../lib/result.ts";

/** Fetches a whole resource; an IoError says which and why. */
export const readBytes = async (path: string | URL): Promise<Result<MtcnnError, Uint8Array>> => {
  try {
    const res = await fetch(path);
    if (!res.ok) {
      await res.body?.cancel();
      return E.left(
        mtcnnError(
          "IoError",
          `${String(path)}: cannot read (HTTP ${res.status} ${res.statusText})`,
        ),
      );
    }
    return E.right(new Uint8Array(await res.arrayBuffer()));
  } catch (e) {
    return E.left(mtcnnError("IoError", `${String(path)}: cannot read (${describe(e)})`, e));
  }
};
