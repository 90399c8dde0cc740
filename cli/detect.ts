/**
 * `detect`: faces of images and directories as NDJSON, one line per image.
 *
 * @module
 */
import { basename, extname, join } from "node:path";
import {
  createDetector,
  type DetectOptions,
  drawFaces,
  loadDefaultWeights,
  loadImage,
  useBackend,
} from "../mod.ts";
import { parseArgs } from "./args.ts";
import {
  backendFrom,
  DETECT_OPTIONS_HELP,
  DETECT_VALUE_OPTIONS,
  detectOptionsFrom,
  listImages,
  printError,
} from "./common.ts";
import { progress } from "./progress.ts";

/** The help text. */
export const DETECT_HELP = `Usage: deno task detect [options] <image|directory>...

Detects faces with the MTCNN cascade (embedded pretrained weights unless given) and prints one
JSON line per image on stdout:
  {"image": path, "width": w, "height": h, "faces": [{"box": [x, y, w, h], "confidence": c,
   "keypoints": {"left_eye": [x, y], "right_eye": ..., "nose": ..., "mouth_left": ...,
   "mouth_right": ...}}]}
Directories are searched recursively for .jpg .jpeg .png .gif .tif .tiff files. A file that
cannot be read or decoded gives one error line on stderr and the run goes on; the exit code is
1 if any input failed, 2 for a usage error.

Options:
${DETECT_OPTIONS_HELP}
  --face-only           PNet and RNet only: boxes and confidence, no landmarks
  --out DIR             also write each image with boxes and landmarks drawn, as PNG
  --verbose             stack traces with errors
  -h, --help            this help
`;

const encoder = new TextEncoder();

const writeAtomic = async (path: string, bytes: Uint8Array): Promise<void> => {
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
};

/** Runs the command; returns the exit code. */
export const run = async (args: string[]): Promise<number> => {
  const parsed = parseArgs(args, {
    values: [...DETECT_VALUE_OPTIONS, "out"],
    flags: ["help", "verbose", "clip", "face-only"],
  });
  if (typeof parsed === "string") {
    printError(`${parsed} (see --help)`);
    return 2;
  }
  const o = parsed.options;
  if (o.help) {
    console.log(DETECT_HELP);
    return 0;
  }
  if (parsed.positional.length === 0) {
    printError("no image given (see --help)");
    return 2;
  }
  const options = detectOptionsFrom(o);
  if (typeof options === "string") {
    printError(options);
    return 2;
  }
  const backend = backendFrom(o);
  if ("error" in backend) {
    printError(backend.error);
    return 2;
  }
  const verbose = o.verbose === true;
  const b = await useBackend(backend.backend)();
  if (b._tag === "Left") return printError(b.left, verbose), 1;
  const weights = await loadDefaultWeights();
  if (weights._tag === "Left") return printError(weights.left, verbose), 1;
  const detector = createDetector(weights.right, {
    ...(options as DetectOptions),
    cascade: o["face-only"] ? "faceOnly" : "faceAndLandmarks",
  });
  if (detector._tag === "Left") return printError(detector.left, verbose), 2;
  const out = typeof o.out === "string" ? o.out : undefined;
  if (out) await Deno.mkdir(out, { recursive: true });
  const images = listImages(parsed.positional);
  const bar = progress("detect", images.length, images.length > 1 && undefined);
  let failed = 0;
  try {
    for (const path of images) {
      const img = await loadImage(path, options.maxPixels)();
      const r = img._tag === "Left" ? img : await detector.right.detect(img.right);
      bar.tick();
      if (r._tag === "Left") {
        failed++;
        printError(
          r.left.message.startsWith(path) ? r.left : `${path}: ${r.left.message}`,
          verbose,
        );
        continue;
      }
      const { width, height, faces } = r.right;
      const line = JSON.stringify({ image: path, width, height, faces }) + "\n";
      await Deno.stdout.write(encoder.encode(line));
      if (out && img._tag === "Right") {
        const drawn = drawFaces(img.right, faces, options.boxFormat ?? "xywh");
        const name = basename(path, extname(path)) + ".png";
        await writeAtomic(join(out, name), await drawn.encode());
      }
    }
  } finally {
    bar.done();
    detector.right.dispose();
  }
  return failed > 0 ? 1 : 0;
};
