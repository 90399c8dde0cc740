/**
 * The PyTorch detection anchor from Deno: runs `bench/torch_mtcnn.py` (our PyTorch
 * reimplementation of facenet-pytorch's MTCNN pipeline, same weights, 2 threads; see
 * docs/speed.md) in the same run as our own benchmarks and reads its JSON lines.
 *
 * As a module, for other benchmarks (e.g. a whole-process comparison):
 *
 * ```ts
 * import { findTorchAnchor, runTorchMtcnn } from "./torch_mtcnn.ts";
 * const dir = "../shared/data/wider_val_416/images";
 * const anchor = await findTorchAnchor();
 * if ("missing" in anchor) console.log(`PyTorch anchor skipped: ${anchor.missing}`);
 * else {
 *   const [t] = await runTorchMtcnn(anchor, ["throughput", dir, "--batch", "32"]);
 *   // t.mode === "throughput": t.images_per_s, t.seconds, t.process_seconds, ...
 * }
 * ```
 *
 * As a script, it prints the anchor's per-image times on `../shared/data/bench/*.jpg` (2 and
 * 1 threads) and its batched throughput on `wider_val_416`, beside the figures of
 * `../shared/README.md` (measured on another host of this machine kind):
 *
 *   deno run -A bench/torch_mtcnn.ts [--runs 21] [--warmup 3] [--skip-throughput]
 */
import { fileURLToPath } from "node:url";

/** The Python script beside this file. */
export const TORCH_MTCNN_SCRIPT: string = fileURLToPath(
  new URL("./torch_mtcnn.py", import.meta.url),
);

/** A Python that can run the anchor, or why there is none. */
export type TorchAnchor =
  | { readonly python: string; readonly torch: string; readonly nms: string }
  | { readonly missing: string };

/** Fields every line of the anchor carries. */
type Base = {
  readonly torch: string;
  readonly nms: string;
  readonly threads: number;
  readonly omp_wait_policy: string;
};

/** One detection timed per image: medians over `runs` after `warmup` rounds (decode excluded). */
export type TorchTime = Base & {
  readonly mode: "time";
  readonly image: string;
  readonly width: number;
  readonly height: number;
  readonly runs: number;
  readonly warmup: number;
  readonly ms: number;
  readonly cpu_ms: number;
  readonly min_ms: number;
  readonly faces: number;
  readonly load: readonly number[];
};

/** Decode and detect images (files or directories) in batches: `seconds` is the loop,
 * `process_seconds` the whole process from interpreter start (imports and weights included). */
export type TorchThroughput = Base & {
  readonly mode: "throughput";
  readonly paths: readonly string[];
  readonly images: number;
  /** Files PIL could not read (named on stderr; not counted in `images`). */
  readonly failed: number;
  readonly batch: number;
  readonly faces: number;
  readonly seconds: number;
  readonly images_per_s: number;
  readonly cpu_seconds: number;
  readonly process_seconds: number;
  readonly process_images_per_s: number;
  readonly peak_rss_mb: number;
  readonly load_start: readonly number[];
  readonly load: readonly number[];
};

/** The faces of one image (box x1 y1 x2 y2, facenet-pytorch's coordinates). */
export type TorchFaces = Base & {
  readonly mode: "faces";
  readonly image: string;
  readonly width: number;
  readonly height: number;
  readonly faces: readonly {
    readonly box: readonly number[];
    readonly score: number;
    readonly landmarks: readonly (readonly number[])[];
  }[];
};

/** Any line the anchor prints (validate lines are kept as they come). */
export type TorchRecord =
  | TorchTime
  | TorchThroughput
  | TorchFaces
  | (Base & {
    readonly mode: "validate" | "check";
    readonly [key: string]: unknown;
  });

/** The Pythons tried in turn: Debian's python3-torch lives in /usr/bin/python3 (the pyenv
 * python3 first on PATH has no torch). */
const PYTHONS = ["/usr/bin/python3", "python3"];

/** Finds a Python that imports torch, numpy, PIL and joblib (`torch_mtcnn.py check`). */
export const findTorchAnchor = async (): Promise<TorchAnchor> => {
  let why = "no python3 found";
  for (const python of PYTHONS) {
    try {
      const r = await new Deno.Command(python, {
        args: [TORCH_MTCNN_SCRIPT, "check"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const line = new TextDecoder().decode(r.stdout).trim().split("\n").at(-1) ?? "";
      const rec = line.startsWith("{") ? JSON.parse(line) : {};
      if (r.success && typeof rec.torch === "string") {
        return { python, torch: rec.torch, nms: rec.nms };
      }
      why = `${python}: ${
        rec.missing ?? (new TextDecoder().decode(r.stderr).trim().split("\n").at(-1) || "failed")
      }`;
    } catch {
      // not installed under this name
    }
  }
  return { missing: `${why} (apt-get install python3-torch python3-joblib)` };
};

/** Runs one anchor command and returns its lines; throws with the script's last stderr line
 * when it fails (a benchmark's error, not a library one). */
export const runTorchMtcnn = async (
  anchor: { readonly python: string },
  args: readonly string[],
): Promise<TorchRecord[]> => {
  const r = await new Deno.Command(anchor.python, {
    args: [TORCH_MTCNN_SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!r.success) {
    const err = new TextDecoder().decode(r.stderr).trim().split("\n").at(-1);
    throw new Error(`torch_mtcnn.py ${args[0]} failed (exit ${r.code}): ${err}`);
  }
  return new TextDecoder().decode(r.stdout).split("\n").filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as TorchRecord);
};

/** facenet-pytorch's times from ../shared/README.md (ms; 2 threads, 1 thread). */
const README_MS: Record<string, readonly [number, number]> = {
  "astronaut_512x512.jpg": [47, 68],
  "group_640x480.jpg": [115, 133],
  "group_1280x720.jpg": [230, 276],
  "group_1920x1080.jpg": [332, 488],
};

const main = async () => {
  const arg = (name: string, dflt: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Deno.args[i + 1] : dflt;
  };
  const anchor = await findTorchAnchor();
  if ("missing" in anchor) {
    console.log(`PyTorch anchor skipped: ${anchor.missing}`);
    return;
  }
  const shared = fileURLToPath(new URL("../../shared/data/", import.meta.url));
  const images = Object.keys(README_MS).map((f) => `${shared}bench/${f}`);
  const load = () => Deno.loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`torch ${anchor.torch}, NMS ${anchor.nms}; load average at start: ${load()}`);
  console.log("| image | threads | ms | CPU ms | README ms | today / README | faces |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [col, threads] of [[0, "2"], [1, "1"]] as const) {
    const lines = await runTorchMtcnn(anchor, [
      "time",
      ...images,
      "--threads",
      threads,
      "--runs",
      arg("runs", "21"),
      "--warmup",
      arg("warmup", "3"),
    ]);
    for (const t of lines) {
      if (t.mode !== "time") continue;
      const name = t.image.split("/").at(-1)!;
      const readme = README_MS[name][col];
      console.log(
        `| ${name} | ${threads} | ${t.ms.toFixed(0)} | ${t.cpu_ms.toFixed(0)} | ${readme} | ${
          (t.ms / readme).toFixed(2)
        } | ${t.faces} |`,
      );
    }
  }
  if (!Deno.args.includes("--skip-throughput")) {
    const [t] = await runTorchMtcnn(anchor, [
      "throughput",
      `${shared}wider_val_416/images`,
      "--batch",
      "32",
    ]);
    if (t?.mode === "throughput") {
      console.log(
        `\nthroughput, ${t.images} images of wider_val_416, batches of ${t.batch}, ${t.threads} ` +
          `threads: ${t.images_per_s} images/s over the loop, ${t.process_images_per_s} over the ` +
          `whole process (${t.process_seconds} s; README: 15.3-15.6), ${t.faces} faces, ` +
          `${t.cpu_seconds} CPU s, peak RSS ${t.peak_rss_mb} MB`,
      );
    }
  }
  console.log(`load average at end: ${load()}`);
};

if (import.meta.main) await main();
