/**
 * Image sources as a stream: files, directories (searched recursively), http(s) URLs and list
 * files (one path or URL a line, `-` for standard input), yielded one at a time so that a run
 * over millions of photos never holds their names all at once.
 *
 * @module
 */
import { extname, join } from "node:path";

/** Image file extensions a directory is searched for. */
export const IMAGE_FILE_EXTENSIONS: readonly string[] = [
  ".jpg",
  ".jpeg",
  ".png",
  ".gif",
  ".tif",
  ".tiff",
];

/**
 * A directory's entries are sorted by name when it has at most this many (the names of one
 * directory are held for that); a larger directory is streamed in the file system's order.
 */
export const SORTED_DIRECTORY_LIMIT = 65_536;

/** True for `http://` and `https://` addresses. */
export const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

const isImageName = (name: string): boolean =>
  IMAGE_FILE_EXTENSIONS.includes(extname(name).toLowerCase());

/** The image files under `dir`, recursively, each directory sorted when small enough. */
export async function* walkImages(dir: string): AsyncGenerator<string> {
  const held: Deno.DirEntry[] = [];
  let streaming = false;
  const visit = async function* (e: Deno.DirEntry): AsyncGenerator<string> {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walkImages(p);
    // Links to files are read through; links to folders are not walked (no cycles).
    else if ((e.isFile || e.isSymlink) && isImageName(e.name)) yield p;
  };
  try {
    for await (const e of Deno.readDir(dir)) {
      if (streaming) {
        yield* visit(e);
        continue;
      }
      held.push(e);
      if (held.length > SORTED_DIRECTORY_LIMIT) {
        streaming = true;
        for (const h of held.splice(0)) yield* visit(h);
      }
    }
  } catch {
    // An unreadable folder is given as it is: reading it reports why, and the run goes on.
    yield dir;
  }
  held.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of held) yield* visit(e);
}

/** The lines of a text stream, one at a time (trailing `\r` removed). */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, nl).replace(/\r$/, "");
      rest = rest.slice(nl + 1);
    }
  }
  if (rest !== "") yield rest.replace(/\r$/, "");
}

/** One source a line of a list file (`-`: standard input); blank and `#` lines are skipped. */
export async function* readSourceList(list: string): AsyncGenerator<string> {
  const stream = list === "-" ? Deno.stdin.readable : (await Deno.open(list)).readable;
  for await (const line of readLines(stream)) {
    const s = line.trim();
    if (s !== "" && !s.startsWith("#")) yield s;
  }
}

/**
 * Expands one source: a directory to its image files, anything else (file, URL, a path that
 * does not exist, reported when it is read) to itself. `onEmpty` hears of a directory that
 * holds no image.
 */
export async function* expandSource(
  source: string,
  onEmpty?: (dir: string) => void,
): AsyncGenerator<string> {
  if (isUrl(source)) {
    yield source;
    return;
  }
  let isDir = false;
  try {
    isDir = (await Deno.stat(source)).isDirectory;
  } catch {
    // reported when the file is read
  }
  if (!isDir) {
    yield source;
    return;
  }
  let n = 0;
  for await (const p of walkImages(source)) n++, yield p;
  if (n === 0) onEmpty?.(source);
}

/**
 * Every image of `sources` and then of each list file, in order, streamed; `onEmpty` hears of
 * each directory that holds no image.
 */
export async function* imageSources(
  sources: readonly string[],
  lists: readonly string[] = [],
  onEmpty?: (dir: string) => void,
): AsyncGenerator<string> {
  for (const s of sources) yield* expandSource(s, onEmpty);
  for (const l of lists) {
    for await (const s of readSourceList(l)) yield* expandSource(s, onEmpty);
  }
}
