/**
 * Workers that `detect` starts before its own modules load: the net workers and the image loader
 * each take about a tenth of a second of CPU to load theirs, and the main thread about as long
 * before it reaches the point where it starts them; started first, they load on the other core
 * meanwhile (measured on the 20 bench images: 60-150 ms less wall time, docs/speed.md). How many
 * is told from the arguments by cheap checks that may miss (then the detector starts its own, as
 * before) or start some that go unused (they are ended); they change no result.
 *
 * @module
 */
import { isVideoPath } from "./video_inputs.ts";
import {
  isWorkerCount,
  LOADER_WORKER_URL,
  NET_WORKER_URL,
  spawnModuleWorker,
} from "../pipelines/parallel/worker_urls.ts";

/** Workers started early, until the command takes them. */
export interface EarlyWorkers {
  /** Net workers not taken yet (createDetectorWith takes them from the front). */
  readonly nets: Worker[];
  /** The image loader's worker, once (undefined after, or when none was started). */
  takeLoader(): Worker | undefined;
  /** Ends the workers not taken. */
  release(): void;
}

/** What a path names, if anything: `"dir"`, `"file"` or undefined. */
export type PathKind = (path: string) => "dir" | "file" | undefined;

const statKind: PathKind = (path) => {
  if (/^https?:\/\//i.test(path)) return "file";
  try {
    const s = Deno.statSync(path);
    return s.isDirectory ? "dir" : s.isFile ? "file" : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The workers `detect` will start for `args`, as far as cheap checks tell: `nets` net workers
 * (`--workers`, else one per core when several images are given: a folder, a list, or two
 * paths that exist) and whether an image loader (several images and at least one net worker).
 * None for help, video, or arguments `detect` refuses.
 *
 * @example
 * ```ts
 * import { expectedWorkers } from "./early.ts";
 * console.log(expectedWorkers(["--workers", "0", "a.jpg", "b.jpg"])); // { nets: 0, loader: false }
 * ```
 */
export const expectedWorkers = (
  args: readonly string[],
  kind: PathKind = statKind,
  cores: number = navigator.hardwareConcurrency || 1,
): { nets: number; loader: boolean } => {
  const none = { nets: 0, loader: false };
  if (args.some((a) => a === "--help" || a === "-h" || a === "--video" || isVideoPath(a))) {
    return none;
  }
  const at = args.indexOf("--workers");
  const raw = at >= 0 ? args[at + 1] : args.find((a) => a.startsWith("--workers="))?.slice(10);
  const given = raw === undefined ? undefined : Number(raw);
  if (given !== undefined && !isWorkerCount(given)) return none;
  let several = args.some((a) => a === "--list" || a.startsWith("--list="));
  let files = 0;
  for (const [i, a] of args.entries()) {
    if (several) break;
    if (a.startsWith("-") || (at >= 0 && i === at + 1)) continue;
    const k = kind(a);
    if (k === "dir" || (k === "file" && ++files >= 2)) several = true;
  }
  const nets = given ?? (several ? Math.max(1, cores) : 0);
  return { nets, loader: several && nets > 0 };
};

/**
 * Starts the workers {@linkcode expectedWorkers} tells for `detect`'s `args`; undefined when
 * none. The caller passes them on to the command, then calls `release`.
 */
export const startEarlyWorkers = (
  args: readonly string[],
  kind: PathKind = statKind,
): EarlyWorkers | undefined => {
  const want = expectedWorkers(args, kind);
  if (want.nets === 0 && !want.loader) return undefined;
  const nets = Array.from({ length: want.nets }, () => spawnModuleWorker(NET_WORKER_URL));
  let loader = want.loader ? spawnModuleWorker(LOADER_WORKER_URL) : undefined;
  return {
    nets,
    takeLoader: () => {
      const w = loader;
      loader = undefined;
      return w;
    },
    release: () => {
      for (const w of nets.splice(0)) w.terminate();
      loader?.terminate();
      loader = undefined;
    },
  };
};
