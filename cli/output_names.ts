/**
 * Where `detect --out` / `--crops` write each image's files, so that no two inputs share a
 * name and nothing already on disk is overwritten unless asked.
 *
 * An image given as a file is named by its base name (`a/x.jpg` -> `x`); an image found in a
 * directory argument keeps its path below it (`photos/2024/x.jpg` under `photos` ->
 * `2024/x`). When two inputs would still get the same name (`a/x.jpg b/x.jpg`, or `x.jpg` and
 * `x.png`), the later ones get `-2`, `-3`, ... in input order. Names are compared without case
 * (two names that differ only in case are one file on macOS and Windows).
 *
 * @module
 */
import { basename, extname, join, relative } from "node:path";
import { IMAGE_EXTENSIONS } from "./common.ts";

/** An input image and the stem of the files written for it. */
export interface NamedImage {
  /** The path to read. */
  readonly path: string;
  /** Output name without extension, `/`-separated below the output folder. */
  readonly stem: string;
}

/** What listing the arguments found. */
export interface Listing {
  /** The images in order, each with its own stem. */
  readonly images: readonly NamedImage[];
  /** Directory arguments that hold no image (each is reported, not silently skipped). */
  readonly emptyDirectories: readonly string[];
}

const withoutExt = (p: string): string => p.slice(0, p.length - extname(p).length);

/**
 * Expands files and directories (searched recursively, sorted) to images with distinct stems.
 * Paths that do not exist are kept so that reading them reports the error in order.
 */
export const listNamedImages = (paths: readonly string[]): Listing => {
  const found: { path: string; stem: string }[] = [];
  const emptyDirectories: string[] = [];
  const walk = (root: string, dir: string) => {
    const entries = [...Deno.readDirSync(dir)].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory) walk(root, p);
      else if (e.isFile && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())) {
        found.push({ path: p, stem: withoutExt(relative(root, p)).split("\\").join("/") });
      }
    }
  };
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = Deno.statSync(p).isDirectory;
    } catch {
      // reported when the file is read
    }
    if (isDir) {
      const before = found.length;
      try {
        walk(p, p);
      } catch {
        // an unreadable folder is reported as one
      }
      if (found.length === before) emptyDirectories.push(p);
    } else found.push({ path: p, stem: withoutExt(basename(p)) || "image" });
  }
  const taken = new Set<string>();
  const images = found.map(({ path, stem }) => {
    let s = stem;
    for (let k = 2; taken.has(s.toLowerCase()); k++) s = `${stem}-${k}`;
    taken.add(s.toLowerCase());
    return { path, stem: s };
  });
  return { images, emptyDirectories };
};

/**
 * Checks an output folder option: it must be a folder or not exist yet (it is then created).
 * Returns an error message naming the flag, or undefined when the folder is ready.
 */
export const prepareOutputFolder = async (
  flag: string,
  dir: string,
): Promise<string | undefined> => {
  if (dir.trim() === "") return `${flag} needs a folder name, got an empty string`;
  try {
    const st = await Deno.stat(dir);
    if (!st.isDirectory) return `${flag} ${dir} is a file, not a folder`;
    return undefined;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      return `${flag} ${dir}: cannot use it (${message(e)})`;
    }
  }
  try {
    await Deno.mkdir(dir, { recursive: true });
    return undefined;
  } catch (e) {
    return `${flag} ${dir}: cannot create the folder (${message(e)})`;
  }
};

const message = (e: unknown): string =>
  e instanceof Deno.errors.PermissionDenied
    ? "permission denied"
    : e instanceof Deno.errors.AlreadyExists
    ? "a file is in the way"
    : e instanceof Deno.errors.NotADirectory
    ? "a file is in the way"
    : e instanceof Error
    ? e.message
    : String(e);

/**
 * Files already in `dir` that this run would write: `<stem>.png` (drawn images) or
 * `<stem>_<n>.png` (crops). Used to refuse a run that would overwrite them.
 */
export const existingOutputs = (
  dir: string,
  images: readonly NamedImage[],
  kind: "drawn" | "crops",
): string[] => {
  const clash: string[] = [];
  const listed = new Map<string, string[]>();
  const namesIn = (folder: string): string[] => {
    let names = listed.get(folder);
    if (!names) {
      try {
        names = [...Deno.readDirSync(folder)].map((e) => e.name);
      } catch {
        names = [];
      }
      listed.set(folder, names);
    }
    return names;
  };
  for (const { stem } of images) {
    const full = join(dir, stem);
    const folder = join(full, "..");
    const base = basename(full).toLowerCase();
    for (const name of namesIn(folder)) {
      const n = name.toLowerCase();
      const hit = kind === "drawn"
        ? n === `${base}.png`
        : n.startsWith(`${base}_`) && /^\d+\.png$/.test(n.slice(base.length + 1));
      if (hit) clash.push(join(folder, name));
    }
  }
  return clash;
};

/**
 * Why a file option's `path` cannot be written (empty, a folder, or an existing file without
 * `--overwrite`), or undefined when it can.
 */
export const outputFileProblem = async (
  path: string,
  overwrite: boolean,
): Promise<string | undefined> => {
  if (path.trim() === "") return "needs a file name";
  try {
    const st = await Deno.stat(path);
    if (st.isDirectory) return "is a folder, not a file";
    return overwrite ? undefined : "exists: add --overwrite to replace it, or choose another name";
  } catch {
    return undefined;
  }
};
