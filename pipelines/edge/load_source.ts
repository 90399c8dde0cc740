/**
 * Loading one image source, a file path or an http(s) URL, with any loader of paths and bytes
 * (in this thread, or the image-loading worker). A URL is fetched here
 * ({@linkcode fetchImageBytes}) and its bytes handed to the loader; messages name the URL.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { Result } from "../../lib/result.ts";
import type { LoadedImage } from "./load_image.ts";
import { fetchImageBytes, type FetchImageOptions } from "./fetch_image.ts";
import { isUrl } from "./image_sources.ts";

/** Loads a path or encoded bytes (as `loadScaledImage` or `ImageLoader.load` do). */
export type PathOrBytesLoader = (
  input: string | Uint8Array,
) => Promise<Result<MtcnnError, LoadedImage>>;

/** Loads `source` (path or URL) with `load`; a URL is fetched first with `fetchOptions`. */
export const loadSource = async (
  source: string,
  load: PathOrBytesLoader,
  fetchOptions: FetchImageOptions = {},
): Promise<Result<MtcnnError, LoadedImage>> => {
  if (!isUrl(source)) return await load(source);
  const bytes = await fetchImageBytes(source, fetchOptions);
  if (bytes._tag === "Left") return bytes;
  const r = await load(bytes.right);
  if (r._tag === "Right") return r;
  // Loaders name bytes by their length; the URL says more.
  const prefix = `${bytes.right.length} bytes`;
  const message = r.left.message.startsWith(prefix)
    ? source + r.left.message.slice(prefix.length)
    : `${source}: ${r.left.message}`;
  return E.left(mtcnnError(r.left._tag, message, r.left.cause));
};
