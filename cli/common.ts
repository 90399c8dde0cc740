/**
 * What the commands share: error lines, terminal checks, input listing, detect options.
 *
 * @module
 */
import { extname, join } from "node:path";
import type { BackendName, DetectOptions, MtcnnError } from "../mod.ts";
import { resolveOptions } from "../pipelines/options.ts";
import type { Rotation } from "../stages.ts";
import { type MtcnnWeights, type ONetWeights, readNetWeights, readWeights } from "../weights.ts";
import type { Result } from "../mod.ts";
import { IMAGE_FILE_EXTENSIONS } from "../pipelines/edge/image_sources.ts";
import { numberOption } from "./args.ts";

/** Image file extensions a directory is searched for (one list, with the streamed walk's). */
export const IMAGE_EXTENSIONS: readonly string[] = IMAGE_FILE_EXTENSIONS;

/** Prints one error line on stderr (the cause's stack with `verbose`). */
export const printError = (e: MtcnnError | string, verbose = false): void => {
  const msg = typeof e === "string" ? e : e.message;
  console.error(`error: ${msg}`);
  if (verbose && typeof e !== "string" && e.cause instanceof Error && e.cause.stack) {
    console.error(e.cause.stack);
  }
};

/**
 * Expands files and directories (searched recursively, sorted) to image paths. Paths that do
 * not exist are returned as themselves so that reading them reports the error in order.
 */
export const listImages = (paths: readonly string[]): string[] => {
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = [...Deno.readDirSync(dir)].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory) walk(p);
      else if (e.isFile && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())) out.push(p);
    }
  };
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = Deno.statSync(p).isDirectory;
    } catch {
      // reported when the file is read
    }
    if (isDir) walk(p);
    else out.push(p);
  }
  return out;
};

/** The detect options' command-line names. */
export const DETECT_VALUE_OPTIONS: readonly string[] = [
  "preset",
  "min-face-size",
  "scale-factor",
  "thresholds",
  "box-format",
  "backend",
  "crop-padding",
  "max-pixels",
  "landmarks",
  "rotations",
  "landmark-onet",
];

/** The detect options' boolean flags (`--clip` / `--no-clip`, `--flip`). */
export const DETECT_FLAG_OPTIONS: readonly string[] = ["clip", "flip", "downscale"];

/** Help text of the detect options, shared by detect and eval. */
export const DETECT_OPTIONS_HELP =
  `  --preset P            default, or accurate: min face 10, thresholds 0.5,0.6,0.6, --flip
  --flip                also detect on the mirror image and merge (default off)
  --min-face-size N     smallest face side in pixels (default 20)
  --scale-factor F      pyramid factor in (0.1, 0.99) (default 0.709)
  --thresholds A,B,C    PNet, RNet, ONet face thresholds (default 0.6,0.7,0.7)
  --box-format F        xywh (default) or xyxy
  --crop-padding P      clamp (default, as facenet-pytorch) or zeros (as the paper's code)
  --max-pixels N        refuse larger images (default 100000000)
  --downscale           downscale larger images to --max-pixels instead (boxes in full size)
  --no-clip             do not clip boxes to the image
  --landmarks L         onet (default) or refined: a second ONet pass on zero-padded crops
                        of the final boxes (better landmarks, same boxes; --preset accurate)
  --landmark-onet FILE  the ONet of --landmarks refined (default: the detector's ONet)
  --rotations A,B,...   also detect on the image turned clockwise by these angles, among 0,
                        90, 180, 270 (default 0); faces say their "rotation"
  --backend B           auto (default: wasm, else cpu), wasm, cpu or webgpu (needs a GPU)`;

/** Detect options from parsed options, or an error message. */
export const detectOptionsFrom = (
  o: Readonly<Record<string, string | boolean>>,
): DetectOptions | string => {
  const min = numberOption(o, "min-face-size");
  if (typeof min === "string") return min;
  const factor = numberOption(o, "scale-factor");
  if (typeof factor === "string") return factor;
  const maxPixels = numberOption(o, "max-pixels");
  if (typeof maxPixels === "string") return maxPixels;
  let thresholds: [number, number, number] | undefined;
  if (typeof o.thresholds === "string") {
    const t = o.thresholds.split(",").map((s) => Number(s.trim()));
    if (t.length !== 3 || t.some((x) => !Number.isFinite(x))) {
      return `--thresholds needs three numbers like 0.6,0.7,0.7, got ${o.thresholds}`;
    }
    thresholds = [t[0], t[1], t[2]];
  }
  const fmt = o["box-format"];
  if (fmt !== undefined && fmt !== "xywh" && fmt !== "xyxy") {
    return `--box-format must be xywh or xyxy, got ${fmt}`;
  }
  const pad = o["crop-padding"];
  if (pad !== undefined && pad !== "clamp" && pad !== "zeros") {
    return `--crop-padding must be clamp or zeros, got ${pad}`;
  }
  const preset = o.preset;
  if (preset !== undefined && preset !== "default" && preset !== "accurate") {
    return `--preset must be default or accurate, got ${preset}`;
  }
  const landmarks = o.landmarks;
  if (landmarks !== undefined && landmarks !== "onet" && landmarks !== "refined") {
    return `--landmarks must be onet or refined, got ${landmarks}`;
  }
  const rotations = rotationsFrom(o.rotations);
  if (typeof rotations === "string") return rotations;
  const options: DetectOptions = {
    preset: preset as "default" | "accurate" | undefined,
    flip: typeof o.flip === "boolean" ? o.flip : undefined,
    minFaceSize: min,
    scaleFactor: factor,
    thresholds,
    maxPixels,
    boxFormat: fmt as "xywh" | "xyxy" | undefined,
    cropPadding: pad as "clamp" | "zeros" | undefined,
    clip: o.clip === false ? false : undefined,
    downscaleLargeImages: o.downscale === true ? true : undefined,
    landmarks: landmarks as "onet" | "refined" | undefined,
    rotations,
  };
  // The library's checks, reported with the flag the user typed instead of the option name.
  const checked = resolveOptions(options);
  return checked._tag === "Left" ? asFlags(checked.left.message) : options;
};

/** The `--rotations` list (quarter turns, each once), or an error message. */
export const rotationsFrom = (v: string | boolean | undefined): Rotation[] | undefined | string => {
  if (v === undefined) return undefined;
  const text = String(v);
  const parts = text.split(",").map((s) => s.trim());
  const angles = parts.map((s) => (/^[0-9]+$/.test(s) ? Number(s) : NaN));
  if (angles.some((a) => !Number.isInteger(a))) {
    return `--rotations needs angles in degrees like 0,90,180,270, got ${text}`;
  }
  const off = angles.find((a) => a !== 0 && a !== 90 && a !== 180 && a !== 270);
  if (off !== undefined) {
    return `--rotations takes 0, 90, 180 and 270 only (quarter turns; other angles are not ` +
      `supported), got ${off}`;
  }
  if (new Set(angles).size !== angles.length) return `--rotations lists an angle twice: ${text}`;
  return angles as Rotation[];
};

/**
 * The `--landmark-onet` weights (none when not given), or an error and its exit code: 2 when
 * the options do not use the landmark stage, 1 when the file cannot be read.
 */
export const landmarkOnetFrom = async (
  o: Readonly<Record<string, string | boolean>>,
  options: DetectOptions,
): Promise<
  { readonly weights?: ONetWeights } | {
    readonly error: MtcnnError | string;
    readonly code: number;
  }
> => {
  const file = o["landmark-onet"];
  if (file === undefined) return {};
  if (options.landmarks !== "refined" && !(options.preset === "accurate" && !options.landmarks)) {
    return { error: "--landmark-onet needs --landmarks refined (or --preset accurate)", code: 2 };
  }
  const w = await readNetWeights("onet", String(file));
  return w._tag === "Left" ? { error: w.left, code: 1 } : { weights: w.right };
};

/** Library option names in messages and the flags that set them. */
const FLAG_OF: Readonly<Record<string, string>> = {
  minFaceSize: "--min-face-size",
  scaleFactor: "--scale-factor",
  thresholds: "--thresholds",
  boxFormat: "--box-format",
  cropPadding: "--crop-padding",
  maxPixels: "--max-pixels",
  preset: "--preset",
};

/** Replaces library option names in `message` with their command-line flags. */
export const asFlags = (message: string): string =>
  message.replace(
    /\b(minFaceSize|scaleFactor|thresholds|boxFormat|cropPadding|maxPixels|preset)\b/g,
    (m) => FLAG_OF[m] ?? m,
  );

/** The backend option, checked: a backend name, or an error message. */
export const backendFrom = (
  o: Readonly<Record<string, string | boolean>>,
): { readonly backend: BackendName } | { readonly error: string } => {
  const b = o.backend ?? "auto";
  return b === "auto" || b === "wasm" || b === "cpu" || b === "webgpu"
    ? { backend: b }
    : { error: `--backend must be auto, wasm, cpu or webgpu, got ${b}` };
};

/**
 * The cascade's weights from `--pnet-weights`, `--rnet-weights`, `--onet-weights` (any
 * supported format); the nets not named keep the embedded pretrained weights.
 */
export const weightsFromFlags = (
  o: Readonly<Record<string, unknown>>,
): Promise<Result<MtcnnError, MtcnnWeights>> => {
  const file = (k: string) => (typeof o[k] === "string" ? o[k] as string : undefined);
  return readWeights({
    pnet: file("pnet-weights"),
    rnet: file("rnet-weights"),
    onet: file("onet-weights"),
  });
};
