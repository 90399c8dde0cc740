/**
 * The demo's static server (a Deno edge, never bundled): the built page (`out/web/`) at `/`, and
 * the files of an image folder under `/images/`. A request names a file by its path segments
 * only: a segment that is empty, `.` or `..` (also percent-encoded), or that decodes to a
 * slash, backslash or NUL is refused before the file system is asked, and the real path (after
 * symlinks) must lie inside the folder, so no request reads a file outside it.
 *
 * @module
 */
import { extname, join, sep } from "node:path";

/** Content types of the files we serve (others are `application/octet-stream`). */
const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".y4m": "video/x-yuv4mpeg",
};

/** Where the server reads from. */
export interface WebFolders {
  /** The built page (`out/web/`). */
  readonly site: string;
  /** The folder served under `/images/`. */
  readonly images: string;
}

/** Why a path was refused, or the file's real path. */
export type Resolved =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly status: 400 | 403 | 404; readonly why: string };

/** The raw path of a request target as sent (before any URL normalisation), without query. */
export const rawPath = (requestUrl: string): string => {
  const noQuery = requestUrl.split(/[?#]/, 1)[0];
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(noQuery);
  return m ? (m[1] ?? "/") : noQuery;
};

/**
 * Resolves the path segments `segments` (still percent-encoded) inside `root`: refused when a
 * segment is unsafe, when nothing exists there, when it is not a file, or when its real path
 * leaves the real `root` (a symlink out).
 */
export const resolveInside = async (
  root: string,
  segments: readonly string[],
): Promise<Resolved> => {
  const parts: string[] = [];
  for (const s of segments) {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      return { ok: false, status: 400, why: "bad percent-encoding" };
    }
    if (d === "" || d === "." || d === ".." || /[/\\\0]/.test(d)) {
      return { ok: false, status: 403, why: "path outside the served folder" };
    }
    parts.push(d);
  }
  if (parts.length === 0) return { ok: false, status: 404, why: "not found" };
  let real: string;
  let realRoot: string;
  try {
    realRoot = await Deno.realPath(root);
    real = await Deno.realPath(join(root, ...parts));
  } catch {
    return { ok: false, status: 404, why: "not found" };
  }
  if (!real.startsWith(realRoot + sep)) {
    return { ok: false, status: 403, why: "path outside the served folder" };
  }
  const info = await Deno.stat(real).catch(() => undefined);
  if (!info?.isFile) return { ok: false, status: 404, why: "not found" };
  return { ok: true, path: real };
};

const text = (status: number, body: string): Response =>
  new Response(body + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
  });

/**
 * The request handler: GET and HEAD of the page's files and of `/images/<file>`.
 *
 * @example
 * ```ts
 * import { createWebHandler } from "./server.ts";
 * const handler = createWebHandler({ site: "out/web", images: "fixtures/faces" });
 * const r = await handler(new Request("http://127.0.0.1/images/%2e%2e/deno.json"));
 * console.log(r.status); // 403
 * ```
 */
export const createWebHandler =
  (folders: WebFolders) => async (req: Request): Promise<Response> => {
    if (req.method !== "GET" && req.method !== "HEAD") return text(405, "method not allowed");
    const path = rawPath(req.url);
    if (!path.startsWith("/")) return text(400, "bad request target");
    const segments = path.slice(1).split("/");
    const [root, rest] = segments[0] === "images"
      ? [folders.images, segments.slice(1)]
      : [folders.site, path === "/" ? ["index.html"] : segments];
    const r = await resolveInside(root, rest);
    if (!r.ok) return text(r.status, r.why);
    const file = await Deno.open(r.path, { read: true });
    const size = (await file.stat()).size;
    if (req.method === "HEAD") file.close();
    return new Response(req.method === "HEAD" ? null : file.readable, {
      headers: {
        "content-type": TYPES[extname(r.path).toLowerCase()] ?? "application/octet-stream",
        "content-length": String(size),
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
      },
    });
  };
