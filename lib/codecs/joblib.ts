/**
 * Reading joblib files of float arrays, such as the Python mtcnn package's `pnet.lz4`:
 * `joblib.dump(list_of_arrays, path, compress=("lz4", 1))`, or plain (uncompressed) dumps.
 * The format is in `../shared/docs/joblib_lz4.md`: an optional LZ4 frame (chosen by magic
 * bytes, as joblib does), then a pickle in which each array is a `NumpyArrayWrapper` whose
 * raw data follows its BUILD opcode, after an alignment pad when the wrapper says so.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import type { ShapedArray } from "../weights/record.ts";
import { decodeLz4Frame, isLz4Frame, type Lz4DecodeOptions } from "./lz4_frame.ts";
import { loadPickle, type PickleObject, type PickleReader, type PickleValue } from "./pickle.ts";
import { toRowMajor } from "./array_order.ts";

const OTHER_COMPRESSORS: readonly [string, number[]][] = [
  ["zlib", [0x78]],
  ["gzip", [0x1f, 0x8b]],
  ["bz2", [0x42, 0x5a, 0x68]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a]],
  ["lzma", [0x5d, 0x00, 0x00]],
];

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const fail = (msg: string): Result<MtcnnError, never> =>
  E.left(mtcnnError("FormatError", `joblib: ${msg}`));

const kindOf = (v: PickleValue): string =>
  v === null
    ? "None"
    : typeof v !== "object"
    ? typeof v
    : v instanceof Uint8Array
    ? "bytes"
    : v.kind;

const field = (state: PickleValue, name: string): PickleValue | undefined =>
  typeof state === "object" && state !== null && "kind" in state && state.kind === "dict"
    ? state.entries.get(name)
    : undefined;

const isClass = (v: PickleValue | undefined, module: string, name: string): boolean =>
  typeof v === "object" && v !== null && "kind" in v && v.kind === "global" &&
  v.module === module && v.name === name;

interface DType {
  readonly size: 4 | 8;
  readonly little: boolean;
}

const dtypeOf = (v: PickleValue | undefined): DType | string => {
  if (typeof v !== "object" || v === null || !("kind" in v) || v.kind !== "object") {
    return "an array's dtype is missing";
  }
  const code = v.args[0];
  const m = typeof code === "string" ? /^([<>|=]?)f([48])$/.exec(code) : null;
  if (!isClass(v.cls, "numpy", "dtype") || !m) {
    return `dtype ${String(code)} is not supported (float32 or float64 only)`;
  }
  const st = v.state;
  const order = typeof st === "object" && st !== null && "kind" in st && st.kind === "tuple"
    ? st.items[1]
    : m[1] || "<";
  if (order !== "<" && order !== ">" && order !== "|" && order !== "=") {
    return `dtype byte order ${String(order)} is not one of < > | =`;
  }
  return { size: m[2] === "4" ? 4 : 8, little: order !== ">" };
};

/** Reads the raw data of the wrapper `w` from `r` (right after its BUILD). */
const readArray = (w: PickleObject, r: PickleReader): Result<MtcnnError, ShapedArray> => {
  const st = w.state ?? null;
  if (!isClass(field(st, "subclass"), "numpy", "ndarray")) {
    return fail("an array is not an ndarray");
  }
  const shapeV = field(st, "shape");
  const dims = typeof shapeV === "object" && shapeV !== null && "kind" in shapeV &&
      shapeV.kind === "tuple"
    ? shapeV.items
    : undefined;
  if (!dims || !dims.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)) {
    return fail("an array's shape is not a tuple of sizes");
  }
  const shape = dims as number[];
  const order = field(st, "order");
  if (order !== "C" && order !== "F") return fail(`array order ${String(order)} is not C or F`);
  const dtype = dtypeOf(field(st, "dtype"));
  if (typeof dtype === "string") return fail(dtype);
  const align = field(st, "numpy_array_alignment_bytes");
  if (align !== undefined && align !== null) {
    // joblib >= 1.2 pads so that the data is aligned: one length byte, then that many bytes.
    if (r.left < 1) return fail("the alignment pad is cut short");
    const pad = r.bytes[r.pos];
    if (r.left < 1 + pad) return fail("the alignment pad is cut short");
    r.pos += 1 + pad;
  }
  // Check the size against the bytes left before allocating anything.
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count * dtype.size > r.left) {
      return fail(`an array of shape (${shape.join(", ")}) needs more bytes than the file has`);
    }
  }
  const raw = r.bytes.subarray(r.pos, r.pos + count * dtype.size);
  r.pos += raw.length;
  let data: Float32Array;
  if (dtype.size === 4 && dtype.little && LITTLE_ENDIAN_HOST) {
    data = new Float32Array(raw.slice().buffer);
  } else {
    data = new Float32Array(count);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) {
      data[i] = dtype.size === 4
        ? view.getFloat32(4 * i, dtype.little)
        : view.getFloat64(8 * i, dtype.little);
    }
  }
  return E.right({ shape, data: order === "F" ? toRowMajor(data, shape) : data });
};

/** Options of {@linkcode decodeJoblib}. */
export type JoblibDecodeOptions = Lz4DecodeOptions;

/**
 * The float arrays of a joblib file (a list or tuple of arrays, or one array), LZ4-framed or
 * plain, as float32 in C (row-major) order. float64 arrays are converted to float32; F-order
 * arrays are reordered; big-endian data is read as such. Anything else gives a `FormatError`.
 *
 * @example
 * ```ts
 * import { decodeJoblib, encodeJoblib } from "@mtcnn/mtcnn/weights";
 * const file = encodeJoblib([{ shape: [2], data: new Float32Array([1, 2]) }]);
 * if (file._tag === "Right") {
 *   const r = decodeJoblib(file.right);
 *   if (r._tag === "Right") console.log(r.right[0].shape, r.right[0].data); // [2] [1, 2]
 * }
 * ```
 */
export const decodeJoblib = (
  bytes: Uint8Array,
  options: JoblibDecodeOptions = {},
): Result<MtcnnError, readonly ShapedArray[]> => {
  if (bytes.length === 0) return fail("the file is empty");
  let stream = bytes;
  if (isLz4Frame(bytes)) {
    const r = decodeLz4Frame(bytes, options);
    if (r._tag === "Left") return r;
    stream = r.right;
  } else if (bytes[0] !== 0x80) {
    const other = OTHER_COMPRESSORS.find(([, m]) => m.every((b, i) => bytes[i] === b));
    return fail(
      other
        ? `the file looks ${other[0]}-compressed; only lz4 and uncompressed files are read`
        : "neither an LZ4 frame nor a pickle (unknown first bytes)",
    );
  }
  const loaded = loadPickle(stream, {
    afterBuild: (built, reader) => {
      const w = built as PickleObject;
      if (!isClass(w.cls, "joblib.numpy_pickle", "NumpyArrayWrapper")) return E.right(undefined);
      const a = readArray(w, reader);
      return a._tag === "Left" ? a : E.right({ kind: "host", value: a.right });
    },
  });
  if (loaded._tag === "Left") return loaded;
  const v = loaded.right.value;
  const items = typeof v === "object" && v !== null && "kind" in v &&
      (v.kind === "list" || v.kind === "tuple")
    ? v.items
    : [v];
  const arrays: ShapedArray[] = [];
  for (const [i, item] of items.entries()) {
    if (typeof item !== "object" || item === null || !("kind" in item) || item.kind !== "host") {
      return fail(`item ${i} is a ${kindOf(item)}, not an array`);
    }
    arrays.push(item.value as ShapedArray);
  }
  return E.right(arrays);
};
