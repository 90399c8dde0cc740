/**
 * `detect`: faces of images and directories as NDJSON, one line per image.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { dirname, join, resolve } from "node:path";
import { describe, type MtcnnError, mtcnnError } from "../lib/errors.ts";
import { mapInOrder } from "../lib/in_order.ts";
import { type DetectOptions, useBackend } from "../mod.ts";
import { loadScaledImage } from "../stages.ts";
import { createDetectorWith } from "../pipelines/detector.ts";
import { startImageLoaderAt } from "../pipelines/parallel/loader.ts";
import { isWorkerCount, LOADER_WORKER_URL } from "../pipelines/parallel/worker_urls.ts";
import type { EarlyWorkers } from "./early.ts";
import { alignFace } from "../lib/align/align_face.ts";
import { cropFace } from "../lib/align/crop.ts";

/** Drawing and PNG encoding (imagescript), loaded when an output needs them. */
const drawing = () => import("../pipelines/edge/draw.ts");
import { writeFileAtomic } from "../pipelines/edge/atomic.ts";
import { rescaleFaces } from "../pipelines/faces.ts";
import { numberOption, parseArgs } from "./args.ts";
import {
  backendFrom,
  DETECT_FLAG_OPTIONS,
  DETECT_OPTIONS_HELP,
  DETECT_VALUE_OPTIONS,
  detectOptionsFrom,
  IMAGE_EXTENSIONS,
  landmarkOnetFrom,
  printError,
  weightsFromFlags,
} from "./common.ts";
import {
  existingOutputs,
  listNamedImages,
  type NamedImage,
  prepareOutputFolder,
} from "./output_names.ts";
import { progress } from "./progress.ts";
import { wantsVideo } from "./video_inputs.ts";
import { errorRecord, fileSink, stdoutSink } from "./detect_output.ts";
import { OUTPUT_VALUE_OPTIONS, outputOptionsFrom, peek } from "./detect_sources.ts";
import { imageSources, readSourceList } from "../pipelines/edge/image_sources.ts";
import { loadSource, type PathOrBytesLoader } from "../pipelines/edge/load_source.ts";

/** Images in flight per net worker: its next image queued while this thread finishes one. */
const IN_FLIGHT_PER_WORKER = 2;

/** The help text. */
export const DETECT_HELP = `Usage: deno task detect [options] <image|directory|URL>... [--list FILE]

Detects faces with the MTCNN cascade (embedded pretrained weights unless given) and prints one
JSON line per image on stdout:
  {"image": path, "width": w, "height": h, "faces": [{"box": [x, y, w, h], "confidence": c,
   "keypoints": {"left_eye": [x, y], "right_eye": ..., "nose": ..., "mouth_left": ...,
   "mouth_right": ...}}]}
Directories are searched recursively for .jpg .jpeg .png .gif .tif .tiff files, http(s) URLs
are fetched; directories and lists are streamed, never held whole (except with --out / --crops,
whose file names need the whole list). A file that cannot be read or decoded gives one error
line on stderr and the run goes on; the exit code is 1 if any input failed, 2 for a usage error.

Videos (.mp4 .mov .mkv .webm .avi, or any file with --video) give one line per frame with a
track id per face: see \`deno task detect --video --help\`.

Options:
${DETECT_OPTIONS_HELP}
  --face-only           PNet and RNet only: boxes and confidence, no landmarks
  --pnet-weights FILE   PNet weights (.lz4, .pkl, .joblib or tfjs .json; default: embedded)
  --rnet-weights FILE   RNet weights, likewise
  --onet-weights FILE   ONet weights, likewise
  --workers N           net worker threads (default: the number of cores for several images,
                        0 = this thread for a single image, which starts faster)
  --out DIR             also write each image with boxes and landmarks drawn, as PNG:
                        DIR/<name>.png, <name> being a file's base name or the path below
                        a directory given (-2, -3, ... when two inputs share a name)
  --crops DIR           also write each face as a 112x112 PNG aligned to the ArcFace
                        five-point template (DIR/<name>_<n>.png; plain box crops with
                        --face-only)
  --crop-size N         side of the --crops images (default 112)
  --overwrite           replace files already in --out / --crops (default: refuse)
  --output FILE         append the lines to FILE instead of stdout, failed images too as
                        {"image", "error": {"tag", "message"}}; an existing FILE is refused
                        unless --resume
  --resume              go on with --output FILE: skip the images already in it (a partial
                        last line from a killed run is cut off first)
  --list FILE           also the images listed in FILE, one path or URL a line (- = stdin)
  --fetch-timeout S     seconds for one URL download (default 30)
  --max-bytes N         largest URL download in bytes (default 67108864)
  --verbose             stack traces with errors
  -h, --help            this help
`;

/**
 * Runs the command; returns the exit code. `early`: workers the command line started before
 * this module loaded (cli/early.ts); the detector and the loader take those they need, the
 * caller ends the rest.
 */
export const run = async (args: string[], early?: EarlyWorkers): Promise<number> => {
  if (wantsVideo(args)) return (await import("./detect_video.ts")).run(args);
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
      ...OUTPUT_VALUE_OPTIONS,
    ],
    flags: ["help", "verbose", "face-only", "overwrite", "resume", ...DETECT_FLAG_OPTIONS],
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
  if (parsed.positional.length === 0 && typeof o.list !== "string") {
    printError("no image given (see --help)");
    return 2;
  }
  const io = outputOptionsFrom(o);
  if (typeof io === "string") {
    printError(io);
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
  if (o["face-only"] && options.landmarks === "refined") {
    printError("--landmarks refined needs landmarks: not with --face-only");
    return 2;
  }
  const workers = numberOption(o, "workers");
  if (
    typeof workers === "string" ||
    (workers !== undefined && !isWorkerCount(workers))
  ) {
    printError(typeof workers === "string" ? workers : "--workers must be an integer from 0 to 64");
    return 2;
  }
  const cropSize = numberOption(o, "crop-size") ?? 112;
  if (
    typeof cropSize === "string" ||
    !(Number.isInteger(cropSize) && cropSize >= 8 && cropSize <= 4096)
  ) {
    printError(
      typeof cropSize === "string" ? cropSize : "--crop-size must be an integer from 8 to 4096",
    );
    return 2;
  }
  const out = typeof o.out === "string" ? o.out : undefined;
  const crops = typeof o.crops === "string" ? o.crops : undefined;
  // --out / --crops name files after the whole list (distinct names, nothing overwritten), so
  // they list everything first; otherwise sources are streamed.
  let named: NamedImage[] | undefined;
  const emptyDirectories: string[] = [];
  if (out !== undefined || crops !== undefined) {
    const listed = [...parsed.positional];
    for (const l of io.lists) for await (const s of readSourceList(l)) listed.push(s);
    const listing = listNamedImages(listed);
    named = [...listing.images];
    emptyDirectories.push(...listing.emptyDirectories);
    const outputsError = await checkOutputs(out, crops, named, o.overwrite === true);
    if (outputsError) {
      printError(outputsError);
      return 2;
    }
  }
  const noImage = (d: string) =>
    printError(`${d}: no image in this folder (${IMAGE_EXTENSIONS.join(" ")})`);
  emptyDirectories.forEach(noImage);
  const sources: AsyncIterator<NamedImage> = named
    ? (async function* () {
      yield* named;
    })()
    : (async function* () {
      const it = imageSources(parsed.positional, io.lists, (d) => {
        emptyDirectories.push(d);
        noImage(d);
      });
      for await (const path of it) yield { path, stem: "" };
    })();
  // Starting workers costs about 0.4 s: worth it from the second image on. A list is taken to
  // hold several (waiting for its second line would stall a piped stdin).
  const ahead = io.lists.length > 0 && !named ? [] : await peek(sources, 2);
  const several = ahead.length > 1 || io.lists.length > 0;
  if (ahead.length === 0 && io.lists.length === 0) return 1; // only empty folders
  const verbose = o.verbose === true;
  const b = await useBackend(backend.backend);
  if (b._tag === "Left") return printError(b.left, verbose), 1;
  // Without weight files, the detector loads the embedded weights itself, while its workers
  // start.
  const ownWeights = ["pnet-weights", "rnet-weights", "onet-weights"].some((k) =>
    typeof o[k] === "string"
  );
  const weights = ownWeights ? await weightsFromFlags(o) : undefined;
  if (weights?._tag === "Left") return printError(weights.left, verbose), 1;
  const lm = await landmarkOnetFrom(o, options);
  if ("error" in lm) return printError(lm.error, verbose), lm.code;
  const cascade = o["face-only"] ? "faceOnly" : "faceAndLandmarks";
  // Starting workers costs about 0.4 s: worth it from the second image on.
  const n = workers ?? (several ? Math.max(1, navigator.hardwareConcurrency || 1) : 0);
  const sink = io.output ? await fileSink(io.output, io.resume) : stdoutSink();
  if ("_tag" in sink) return printError(sink, verbose), sink._tag === "OptionError" ? 2 : 1;
  if (sink.resumed > 0) console.error(`${io.output}: ${sink.resumed} images done already, skipped`);
  if (sink.repairedBytes > 0) {
    console.error(`${io.output}: cut off a partial last line (${sink.repairedBytes} bytes)`);
  }
  // The first images are read and decoded while the detector starts its workers.
  const creating = createDetectorWith({
    ...(options as DetectOptions),
    weights: weights?.right,
    cascade,
    workers: n,
    backend: backend.backend,
    landmarkOnet: lm.weights,
  }, early?.nets ?? []);
  // With workers, images are decoded on a thread of their own (only for more than one image).
  const loader = n > 0 && several
    ? startImageLoaderAt(LOADER_WORKER_URL, early?.takeLoader())
    : undefined;
  const loadOptions = { downscale: options.downscaleLargeImages };
  const loadOne: PathOrBytesLoader = (input) =>
    loader
      ? loader.load(input, options.maxPixels, loadOptions)
      : loadScaledImage(input, options.maxPixels, loadOptions);
  const fetchOptions = { ...io.fetch, maxPixels: options.maxPixels };
  // Images already done (a resumed --output, or given twice) are skipped before loading.
  const todo = async function* (): AsyncGenerator<NamedImage> {
    for (const s of ahead) if (!sink.has(s.path)) yield s;
    for (let r = await sources.next(); !r.done; r = await sources.next()) {
      if (!sink.has(r.value.path)) yield r.value;
    }
  }();
  // Never rejects (it runs while other images are detected): a failed listing is a value.
  const listed = async function* () {
    try {
      for (let r = await todo.next(); !r.done; r = await todo.next()) yield r.value;
    } catch (e) {
      yield {
        path: "",
        stem: "",
        error: mtcnnError("IoError", `cannot list images: ${describe(e)}`),
      };
    }
  };
  /** Loads and detects one image; never rejects. */
  const detectOne = async (s: NamedImage & { error?: MtcnnError }) => {
    if (s.error) return { ...s, img: E.left(s.error), r: E.left(s.error) };
    const img = await loadSource(s.path, loadOne, fetchOptions).catch((e) =>
      E.left(mtcnnError("IoError", `cannot read ${s.path}: ${describe(e)}`))
    );
    const detector = await creating;
    const r = img._tag === "Left"
      ? img
      : detector._tag === "Left"
      ? detector
      : await detector.right.detect(img.right.image);
    // Finished items may wait for earlier ones: they keep their pixels only to draw or crop.
    const kept = img._tag === "Right" && !out && !crops
      ? E.right({ ...img.right, image: { ...img.right.image, data: new Uint8Array(0) } })
      : img;
    return { ...s, img: kept, r };
  };
  // With workers, several images are in flight (decoded in order on the loader thread, each
  // detected on a worker of its own); the lines still come out in the inputs' order.
  const inFlight = several ? Math.max(2, n * IN_FLIGHT_PER_WORKER) : 1;
  const results = mapInOrder(listed(), inFlight, detectOne);
  const first = results.next();
  const detector = await creating;
  if (detector._tag === "Left") {
    await results.return(undefined);
    loader?.terminate();
    await sink.close();
    return printError(detector.left, verbose), 2;
  }
  const bar = progress("detect", named?.length ?? 0, several ? undefined : false);
  let failed = 0;
  try {
    for (let next = await first; !next.done; next = await results.next()) {
      const { path, stem, img, r } = next.value;
      if (path === "") {
        failed++;
        printError(img._tag === "Left" ? img.left : "cannot list images", verbose);
        break;
      }
      if (sink.has(path)) continue; // given twice, close together
      bar.tick();
      if (r._tag === "Left") {
        failed++;
        const e = r.left.message.startsWith(path)
          ? r.left
          : { ...r.left, message: `${path}: ${r.left.message}` };
        printError(e, verbose);
        await sink.write(errorRecord(path, e));
        continue;
      }
      // Faces of a downscaled image are given in the full-size image's coordinates.
      const scaled = img._tag === "Right" ? img.right : undefined;
      const faces = scaled ? rescaleFaces(r.right.faces, scaled.scaleX, scaled.scaleY) : [];
      const [width, height] = scaled ? [scaled.width, scaled.height] : [0, 0];
      await sink.write({ image: path, width, height, faces });
      if (out && img._tag === "Right") {
        const drawn = (await drawing()).drawFaces(
          img.right.image,
          r.right.faces,
          options.boxFormat ?? "xywh",
        );
        const written = await writeOutput(join(out, stem + ".png"), await drawn.encode());
        if (written) {
          failed++;
          printError(written, verbose);
        }
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
          const png = await (await drawing()).rgbToImage(face.right.image).encode();
          const written = await writeOutput(join(crops, `${stem}_${k}.png`), png);
          if (written) {
            failed++;
            printError(written, verbose);
            break;
          }
        }
      }
    }
  } finally {
    await results.return(undefined);
    bar.done();
    detector.right.dispose();
    loader?.terminate();
    await sink.close();
  }
  // An empty folder given is an input that failed.
  failed += emptyDirectories.length;
  return failed > 0 ? 1 : 0;
};

/** Checks `--out` and `--crops`: folders (created), apart, and not holding this run's files. */
const checkOutputs = async (
  out: string | undefined,
  crops: string | undefined,
  images: readonly NamedImage[],
  overwrite: boolean,
): Promise<string | undefined> => {
  if (out !== undefined && crops !== undefined && resolve(out) === resolve(crops)) {
    return "--out and --crops must be different folders";
  }
  for (const [flag, dir, kind] of [["--out", out, "drawn"], ["--crops", crops, "crops"]] as const) {
    if (dir === undefined) continue;
    const e = await prepareOutputFolder(flag, dir);
    if (e) return e;
    const clash = overwrite ? [] : existingOutputs(dir, images, kind);
    if (clash.length > 0) {
      return `${flag} ${dir} already holds ${clash[0]}${
        clash.length > 1 ? ` and ${clash.length - 1} more of this run's files` : ""
      }: add --overwrite to replace them, or choose another folder`;
    }
  }
  return undefined;
};

/** Writes one output file atomically (its folder created); an error message if it failed. */
const writeOutput = async (path: string, bytes: Uint8Array): Promise<string | undefined> => {
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, bytes);
    return undefined;
  } catch (e) {
    return `cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`;
  }
};
