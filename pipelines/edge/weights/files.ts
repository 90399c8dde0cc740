/**
 * Weight files on disk, in the format their extension names: `.lz4` (joblib with LZ4, as the
 * Python mtcnn package writes), `.pkl` / `.joblib` (plain joblib pickle), `.json` (a tfjs
 * manifest, ours or face-api.js's, with its shard files beside it). Reading a joblib file
 * goes by its magic bytes, as joblib does; writing is atomic.
 *
 * @module
 */
import { pipe } from "fp-ts/function.js";
import * as TE from "fp-ts/TaskEither.js";
import { basename, dirname, extname, isAbsolute, join } from "node:path";
import {
  decodeTfjsTensors,
  encodeTfjsTensors,
  parseTfjsManifest,
} from "../../../lib/codecs/tfjs_weights.ts";
import { anyNetWeightsFromTfjs, netWeightsToTfjs } from "../../../lib/codecs/tfjs_net_weights.ts";
import {
  type AnyNetWeights,
  checkAnyNetWeights,
  encodeNetWeights,
  netWeightsFromArrays,
} from "../../../lib/codecs/weights_codec.ts";
import { decodeJoblib } from "../../../lib/codecs/joblib.ts";
import { describe, isMtcnnError, type MtcnnError, mtcnnError } from "../../../lib/errors.ts";
import type { Result, TaskResult } from "../../../lib/result.ts";
import type { NetName } from "../../../lib/spec.ts";
import type { NetWeights } from "../../../lib/weights/record.ts";
import { writeFileAtomic } from "../atomic.ts";

/** The weight file formats: joblib with LZ4, plain joblib, tfjs manifest + shards. */
export type WeightsFormat = "joblib-lz4" | "joblib" | "tfjs";

/** 256 MiB: larger files are refused before they are read (ONet's weights are 1.6 MB). */
export const MAX_WEIGHTS_FILE_BYTES = 256 * 1024 * 1024;

const FORMATS: Readonly<Record<string, WeightsFormat>> = {
  ".lz4": "joblib-lz4",
  ".pkl": "joblib",
  ".pickle": "joblib",
  ".joblib": "joblib",
  ".json": "tfjs",
};

/**
 * The format a file name's extension names (case-insensitive), or undefined.
 *
 * @example
 * ```ts
 * import { weightsFormatOf } from "@mtcnn/mtcnn/weights";
 * console.log(weightsFormatOf("onet.lz4"), weightsFormatOf("model.json")); // "joblib-lz4" "tfjs"
 * ```
 */
export const weightsFormatOf = (path: string): WeightsFormat | undefined =>
  FORMATS[extname(path).toLowerCase()];

/** Options of {@linkcode writeNetWeightsFile}. */
export interface WriteWeightsOptions {
  /** In a `.json` manifest, use face-api.js's tensor names and layouts. Default false. */
  readonly faceApiNames?: boolean;
}

/** An IoError for a failed read or write of `path`, with the OS's reason in plain words. */
const ioError = (verb: string, path: string) => (e: unknown): MtcnnError => {
  if (isMtcnnError(e)) return e;
  const why = e instanceof Deno.errors.NotFound
    ? verb === "read" ? "no such file" : "no such folder"
    : e instanceof Deno.errors.PermissionDenied
    ? "permission denied"
    : e instanceof Deno.errors.IsADirectory
    ? "it is a folder"
    : describe(e);
  return mtcnnError("IoError", `cannot ${verb} ${path} (${why})`, e);
};

const readBytes = (path: string): TaskResult<MtcnnError, Uint8Array> =>
  TE.tryCatch(async () => {
    const st = await Deno.stat(path);
    if (!st.isFile) throw mtcnnError("IoError", `cannot read ${path} (not a file)`);
    if (st.size > MAX_WEIGHTS_FILE_BYTES) {
      throw mtcnnError("IoError", `${path} is ${st.size} bytes, too large for a weights file`);
    }
    return await Deno.readFile(path);
  }, ioError("read", path));

const named = (path: string) => (e: MtcnnError): MtcnnError =>
  e._tag === "IoError" || e.message.startsWith(path)
    ? e
    : { ...e, message: `${path}: ${e.message}` };

/** A shard path must stay in the manifest's folder tree. */
const safeShard = (p: string): boolean =>
  p.length > 0 && !isAbsolute(p) && !p.split(/[\\/]/).includes("..") && !p.includes("\0");

const readTfjs = (
  path: string,
  text: string,
  net?: NetName,
): TaskResult<MtcnnError, AnyNetWeights> =>
  pipe(
    TE.fromEither(parseTfjsManifest(text)),
    TE.flatMap((manifest) => {
      const paths = [...new Set(manifest.flatMap((g) => g.paths))];
      const bad = paths.find((p) => !safeShard(p));
      if (bad !== undefined) {
        return TE.left(
          mtcnnError("FormatError", `shard path "${bad}" leaves the manifest's folder`),
        );
      }
      return pipe(
        TE.sequenceArray(paths.map((p) => readBytes(join(dirname(path), p)))),
        TE.flatMapEither((bytes) =>
          decodeTfjsTensors(manifest, new Map(paths.map((p, i) => [p, bytes[i]])))
        ),
      );
    }),
    TE.flatMapEither((tensors) => anyNetWeightsFromTfjs(tensors, net)),
  );

/** True when `bytes` start (after white space) with `[` or `{`: a JSON manifest, not joblib. */
export const looksLikeJson = (bytes: Uint8Array): boolean => {
  const i = bytes.findIndex((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  return i >= 0 && (bytes[i] === 0x5b || bytes[i] === 0x7b);
};

/**
 * Reads a weights file of any supported format. Without `net`, the network is the one the
 * file holds (joblib: told by its arrays; tfjs: the only network in the manifest).
 *
 * @example
 * ```ts
 * import { readAnyNetWeightsFile } from "@mtcnn/mtcnn/weights";
 * const r = await readAnyNetWeightsFile("onet.lz4");
 * if (r._tag === "Right") console.log(r.right.net); // "onet"
 * ```
 */
export const readAnyNetWeightsFile = (
  path: string,
  net?: NetName,
): Promise<Result<MtcnnError, AnyNetWeights>> =>
  pipe(
    readBytes(path),
    TE.flatMap((bytes): TaskResult<MtcnnError, AnyNetWeights> =>
      weightsFormatOf(path) === "tfjs" || looksLikeJson(bytes)
        ? readTfjs(path, new TextDecoder().decode(bytes), net)
        : TE.fromEither(
          pipe(decodeJoblib(bytes), (a) =>
            a._tag === "Left" ? a : netWeightsFromArrays(a.right, net)),
        )
    ),
    TE.mapLeft(named(path)),
  )();

/**
 * Reads the weights of network `net` from a file of any supported format; a wrong shape,
 * NaN or Inf is a `WeightsError` naming the file, the layer and the expected shape.
 */
export const readNetWeightsFile = <N extends NetName>(
  net: N,
  path: string,
): Promise<Result<MtcnnError, NetWeights<N>>> =>
  readAnyNetWeightsFile(path, net) as Promise<Result<MtcnnError, NetWeights<N>>>;

/**
 * Writes weights atomically in the format of `path`'s extension: `.lz4`, `.pkl` / `.joblib`
 * or `.json` (a tfjs manifest; its shard `<stem>-shard1of1.bin` is written beside it first).
 * An unknown extension is an `OptionError`.
 *
 * @example
 * ```ts
 * import { loadDefaultWeights, writeNetWeightsFile } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") await writeNetWeightsFile("onet.lz4", w.right.onet);
 * ```
 */
export const writeNetWeightsFile = (
  path: string,
  weights: AnyNetWeights,
  options: WriteWeightsOptions = {},
): Promise<Result<MtcnnError, void>> => writeTask(path, weights, options)();

const writeTask = (
  path: string,
  weights: AnyNetWeights,
  options: WriteWeightsOptions,
): TaskResult<MtcnnError, void> => {
  const format = weightsFormatOf(path);
  const write = (p: string, bytes: Uint8Array): TaskResult<MtcnnError, void> =>
    TE.tryCatch(() => writeFileAtomic(p, bytes), ioError("write", p));
  if (!format) {
    return TE.left(
      mtcnnError(
        "OptionError",
        `${path}: cannot tell the format from the extension "${extname(path)}" ` +
          "(use .lz4, .pkl, .joblib or .json)",
      ),
    );
  }
  if (format !== "tfjs") {
    return pipe(
      TE.fromEither(encodeNetWeights(weights, { compress: format === "joblib-lz4" })),
      TE.flatMap((bytes) => write(path, bytes)),
      TE.mapLeft(named(path)),
    );
  }
  const stem = basename(path).slice(0, -extname(path).length);
  return pipe(
    TE.fromEither(checkAnyNetWeights(weights)),
    TE.flatMap((w) => {
      const files = encodeTfjsTensors(netWeightsToTfjs(w, options), stem);
      const json = new TextEncoder().encode(JSON.stringify(files.manifest, null, 1) + "\n");
      return pipe(
        TE.sequenceSeqArray(files.shards.map((s) => write(join(dirname(path), s.path), s.bytes))),
        TE.flatMap(() => write(path, json)),
      );
    }),
    TE.mapLeft(named(path)),
  );
};
