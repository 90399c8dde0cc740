/**
 * Images from http(s) URLs: fetched with a timeout and a size limit, with the image header
 * checked as soon as it has arrived (format, declared size), as for files, so that a huge or
 * non-image download is stopped early. Failures are `IoError`s naming the URL and the HTTP
 * status; their `cause` says whether trying again later may help ({@linkcode isTransient}).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import { readImageHeader, sniffImageFormat } from "../../lib/image_header.ts";
import type { Result } from "../../lib/result.ts";

/** Options of {@linkcode fetchImageBytes}. */
export interface FetchImageOptions {
  /** Whole request (connect, headers, body) in milliseconds. Default 30,000. */
  readonly timeoutMs?: number;
  /** Largest body accepted, in bytes. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Largest image accepted from its header, in pixels. Default 250 megapixels. */
  readonly maxPixels?: number;
}

/** What an `IoError` from a fetch carries as its cause. */
export interface FetchFailure {
  /** The HTTP status, when a response came. */
  readonly status?: number;
  /** True when trying again later may succeed (timeout, network, HTTP 408, 429, 5xx). */
  readonly transient: boolean;
}

/** 64 MiB: larger than any photo a camera writes, small enough for a worker's memory. */
const MAX_BYTES = 64 * 1024 * 1024;
/** Enough bytes to hold the headers of nearly every image (JPEG EXIF can be long). */
const HEADER_BYTES = 64 * 1024;

/** True when `e` is a fetch failure that may pass when tried again. */
export const isTransient = (e: MtcnnError): boolean =>
  typeof e.cause === "object" && e.cause !== null && (e.cause as FetchFailure).transient === true;

const fail = (
  tag: "IoError" | "DecodeError" | "InputError",
  url: string,
  why: string,
  cause: FetchFailure,
): E.Either<MtcnnError, never> => E.left(mtcnnError(tag, `${url}: ${why}`, cause));

/** Header checks on the first bytes: a message when they are not an acceptable image. */
const checkHead = (
  head: Uint8Array,
  complete: boolean,
  maxPixels: number,
): { tag: "DecodeError" | "InputError"; why: string } | undefined => {
  if (head.length < 16 && !complete) return undefined;
  if (!sniffImageFormat(head)) {
    return { tag: "DecodeError", why: "not a JPEG, PNG, GIF or TIFF image (unknown format)" };
  }
  const h = readImageHeader(head);
  if (h._tag === "Left") return undefined; // the decoder reports it with the whole file
  const { width: w, height: ht } = h.right;
  return w * ht > maxPixels
    ? { tag: "InputError", why: `${w}x${ht} is ${w * ht} pixels, more than ${maxPixels}` }
    : undefined;
};

const concat = (parts: Uint8Array[], n: number): Uint8Array => {
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) out.set(p, off), off += p.length;
  return out;
};

/**
 * Fetches an image's bytes from an http(s) URL.
 *
 * @example
 * ```ts
 * import { fetchImageBytes } from "./fetch_image.ts";
 * const r = await fetchImageBytes("http://127.0.0.1:9/none.jpg", { timeoutMs: 2000 });
 * console.log(r._tag === "Left" && r.left.message); // "http://127.0.0.1:9/none.jpg: cannot fetch ..."
 * ```
 */
export const fetchImageBytes = async (
  url: string,
  options: FetchImageOptions = {},
): Promise<Result<MtcnnError, Uint8Array>> => {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const maxPixels = options.maxPixels ?? 250_000_000;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  const timedOut = () => `cannot fetch (timed out after ${timeoutMs / 1000} s)`;
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: ctl.signal, redirect: "follow" });
    } catch (e) {
      const why = ctl.signal.aborted ? timedOut() : `cannot fetch (${describe(e)})`;
      return fail("IoError", url, why, { transient: true });
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      const s = res.status;
      const transient = s === 408 || s === 429 || s >= 500;
      const text = res.statusText ? ` ${res.statusText}` : "";
      return fail("IoError", url, `cannot fetch (HTTP ${s}${text})`, { status: s, transient });
    }
    const declared = Number(res.headers.get("content-length") ?? NaN);
    if (declared > maxBytes) {
      await res.body?.cancel().catch(() => {});
      const why = `${declared} bytes, more than the limit of ${maxBytes} (option --max-bytes)`;
      return fail("InputError", url, why, { status: res.status, transient: false });
    }
    const parts: Uint8Array[] = [];
    let n = 0;
    let checked = false;
    const reader = res.body?.getReader();
    try {
      while (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        n += value.length;
        if (n > maxBytes) {
          const why = `more than the limit of ${maxBytes} bytes (option --max-bytes)`;
          return fail("InputError", url, why, { status: res.status, transient: false });
        }
        if (!checked && n >= HEADER_BYTES) {
          checked = true;
          const bad = checkHead(concat(parts, n), false, maxPixels);
          if (bad) return fail(bad.tag, url, bad.why, { status: res.status, transient: false });
        }
      }
    } catch (e) {
      const why = ctl.signal.aborted ? timedOut() : `download failed (${describe(e)})`;
      return fail("IoError", url, why, { status: res.status, transient: true });
    } finally {
      await reader?.cancel().catch(() => {});
    }
    const bytes = concat(parts, n);
    const bad = checked || n === 0 ? undefined : checkHead(bytes, true, maxPixels);
    if (bad) return fail(bad.tag, url, bad.why, { status: res.status, transient: false });
    return E.right(bytes);
  } finally {
    clearTimeout(timer);
  }
};
