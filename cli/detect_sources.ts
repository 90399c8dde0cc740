/**
 * `detect`'s options for long runs (`--output`, `--resume`, `--list`, URL fetch limits), shared
 * with `queue`, and a helper that looks ahead in a stream of sources.
 *
 * @module
 */
import type { FetchImageOptions } from "../pipelines/edge/fetch_image.ts";
import { numberOption } from "./args.ts";

/** The value options of long runs. */
export const OUTPUT_VALUE_OPTIONS: readonly string[] = [
  "output",
  "list",
  "fetch-timeout",
  "max-bytes",
];

/** Long-run options, checked. */
export interface OutputOptions {
  /** `--output FILE`, or undefined for stdout. */
  readonly output?: string;
  /** `--resume`. */
  readonly resume: boolean;
  /** `--list FILE` (`-` for stdin). */
  readonly lists: readonly string[];
  /** URL download limits. */
  readonly fetch: FetchImageOptions;
}

/** The URL download options alone, or an error message. */
export const fetchOptionsFrom = (
  o: Readonly<Record<string, string | boolean>>,
): FetchImageOptions | string => {
  const timeout = numberOption(o, "fetch-timeout");
  if (typeof timeout === "string") return timeout;
  if (timeout !== undefined && !(timeout > 0)) return "--fetch-timeout must be > 0 seconds";
  const maxBytes = numberOption(o, "max-bytes");
  if (typeof maxBytes === "string") return maxBytes;
  if (maxBytes !== undefined && !(maxBytes >= 1)) return "--max-bytes must be >= 1";
  return {
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    maxBytes,
  };
};

/** The long-run options from parsed options, or an error message. */
export const outputOptionsFrom = (
  o: Readonly<Record<string, string | boolean>>,
): OutputOptions | string => {
  const fetch = fetchOptionsFrom(o);
  if (typeof fetch === "string") return fetch;
  const output = typeof o.output === "string" ? o.output : undefined;
  if (o.resume === true && !output) return "--resume needs --output FILE";
  const lists = typeof o.list === "string" ? [o.list] : [];
  for (const l of lists) {
    if (l === "-") continue;
    try {
      if (!Deno.statSync(l).isFile) return `--list ${l}: not a file`;
    } catch {
      return `--list ${l}: no such file`;
    }
  }
  return { output, resume: o.resume === true, lists, fetch };
};

/** Takes up to `n` items from `it` (the rest stays in `it`). */
export const peek = async <T>(it: AsyncIterator<T>, n: number): Promise<T[]> => {
  const out: T[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
};
