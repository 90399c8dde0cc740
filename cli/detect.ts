/**
 * `detect`: faces of images and directories as NDJSON, one line per image.
 *
 * @module
 */
import { basename, extname, join } from "node:path";
import { createDetector, type DetectOptions, useBackend } from "../mod.ts";
import { loadScaledImage, startImageLoader } from "../stages.ts";
import { readWeights } from "../weights.ts";
import { alignFace, cropFace, drawFaces, rgbToImage } from "../align.ts";
import { writeFileAtomic } from "../pipelines/edge/atomic.ts";
import { rescaleFaces } from "../pipelines/faces.ts";
import { numberOption, parseArgs } from "./args.ts";
import {
  backendFrom,
  DETECT_FLAG_OPTIONS,
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
  --pnet-weights FILE   PNet weights (.lz4, .pkl, .joblib or tfjs .json; default: embedded)
  --rnet-weights FILE   RNet weights, likewise
  --onet-weights FILE   ONet weights, likewise
  --workers N           net worker threads (default: the number of cores for several images,
                        0 = this thread for a single image, which starts faster)
  --out DIR             also write each image with boxes and landmarks drawn, as PNG
  --crops DIR           also write each face as a 112x112 PNG aligned to the ArcFace
                        five-point template (<image>_<n>.png; plain box crops with
                        --face-only)
  --crop-size N         side of the --crops images (default 112)
  --verbose             stack traces with errors
  -h, --help            this help
`;

const encoder = new TextEncoder();

/** Runs the command; returns the exit code. */
export const run = async (args: string[]): Promise<number> => {
  const parsed = parseArgs(args, {
    values: [
      ...DETECT_VALUE_OPTIONS,
      "out",
      "workers",
      "crops",
      "crop-size",
      "pnet-weights",
      "rnet-weights",
      "onet-weights",
    ],
    flags: ["help", "verbose", "face-only", ...DETECT_FLAG_OPTIONS],
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
  const b = await useBackend(backend.backend);
  if (b._tag === "Left") return printError(b.left, verbose), 1;
  const file = (k: string) => (typeof o[k] === "string" ? o[k] as string : undefined);
  const weights = await readWeights({
    pnet: file("pnet-weights"),
    rnet: file("rnet-weights"),
    onet: file("onet-weights"),
  });
  if (weights._tag === "Left") return printError(weights.left, verbose), 1;
  const workers = numberOption(o, "workers");
  if (typeof workers === "string" || (workers !== undefined && !(workers >= 0))) {
    printError(typeof workers === "string" ? workers : "--workers must be >= 0");
    return 2;
  }
  const cascade = o["face-only"] ? "faceOnly" : "faceAndLandmarks";
  const images = listImages(parsed.positional);
  // Starting workers costs about 0.4 s: worth it from the second image on.
  const n = workers ?? (images.length > 1 ? Math.max(1, navigator.hardwareConcurrency || 1) : 0);
  const detector = await createDetector({
    ...(options as DetectOptions),
    weights: weights.right,
    cascade,
    workers: n,
    backend: backend.backend,
  });
  if (detector._tag === "Left") return printError(detector.left, verbose), 2;
  const out = typeof o.out === "string" ? o.out : undefined;
  if (out) await Deno.mkdir(out, { recursive: true });
  const crops = typeof o.crops === "string" ? o.crops : undefined;
  if (crops) await Deno.mkdir(crops, { recursive: true });
  const cropSize = numberOption(o, "crop-size") ?? 112;
  if (typeof cropSize === "string" || !(cropSize >= 8 && cropSize <= 4096)) {
    printError(typeof cropSize === "string" ? cropSize : "--crop-size must be from 8 to 4096");
    detector.right.dispose();
    return 2;
  }
  const bar = progress("detect", images.length, images.length > 1 ? undefined : false);
  let failed = 0;
  // With workers, images are decoded on a thread of their own (only for more than one image).
  const loader = n > 0 && images.length > 1 ? startImageLoader() : undefined;
  const loadOptions = { downscale: options.downscaleLargeImages };
  const load = (i: number) =>
    i >= images.length
      ? undefined
      : loader
      ? loader.load(images[i], options.maxPixels, loadOptions)
      : loadScaledImage(images[i], options.maxPixels, loadOptions);
  try {
    // The next image is decoded while the workers detect faces in this one.
    let next = load(0);
    for (let i = 0; i < images.length; i++) {
      const path = images[i];
      const img = (await next)!;
      next = load(i + 1);
      const r = img._tag === "Left" ? img : await detector.right.detect(img.right.image);
      bar.tick();
      if (r._tag === "Left") {
        failed++;
        printError(
          r.left.message.startsWith(path) ? r.left : `${path}: ${r.left.message}`,
          verbose,
        );
        continue;
      }
      // Faces of a downscaled image are given in the full-size image's coordinates.
      const scaled = img._tag === "Right" ? img.right : undefined;
      const faces = scaled ? rescaleFaces(r.right.faces, scaled.scaleX, scaled.scaleY) : [];
      const [width, height] = scaled ? [scaled.width, scaled.height] : [0, 0];
      const line = JSON.stringify({ image: path, width, height, faces }) + "\n";
      await Deno.stdout.write(encoder.encode(line));
      const stem = basename(path, extname(path));
      if (out && img._tag === "Right") {
        const drawn = drawFaces(img.right.image, r.right.faces, options.boxFormat ?? "xywh");
        await writeFileAtomic(join(out, stem + ".png"), await drawn.encode());
      }
      if (crops && img._tag === "Right") {
        for (const [k, f] of r.right.faces.entries()) {
          const xywh: [number, number, number, number] = options.boxFormat === "xyxy"
            ? [f.box[0], f.box[1], f.box[2] - f.box[0], f.box[3] - f.box[1]]
            : [f.box[0], f.box[1], f.box[2], f.box[3]];
          const face = f.keypoints
            ? alignFace(img.right.image, f.keypoints, { size: cropSize })
            : cropFace(img.right.image, xywh, { size: cropSize, square: true, margin: 0.1 });
          if (face._tag === "Left") {
            printError(`${path}: face ${k}: ${face.left.message}`, verbose);
            continue;
          }
          const png = await rgbToImage(face.right.image).encode();
          await writeFileAtomic(join(crops, `${stem}_${k}.png`), png);
        }
      }
    }
  } finally {
    bar.done();
    detector.right.dispose();
    loader?.terminate();
  }
  return failed > 0 ? 1 : 0;
};
