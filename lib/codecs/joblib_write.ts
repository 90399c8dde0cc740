/**
 * Writing joblib files that Python's `joblib.load` reads back to identical arrays: the
 * minimal stream of `../shared/docs/joblib_lz4.md` (PROTO, a list, one `NumpyArrayWrapper`
 * per array with its state dict, the aligned raw data after each BUILD, APPENDS, STOP), with
 * no memo and no frames, optionally in an LZ4 frame as `compress=("lz4", ...)` makes.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import { sizeOf } from "../spec.ts";
import type { ShapedArray } from "../weights/record.ts";
import { encodeLz4Frame } from "./lz4_frame.ts";

/** Options of {@linkcode encodeJoblib}. */
export interface JoblibEncodeOptions {
  /** Wrap the pickle in an LZ4 frame, as the Python package's `.lz4` files. Default true. */
  readonly compress?: boolean;
  /** Pickle protocol, 2 to 5. Default 4 (what joblib 1.x writes on Python 3.8+). */
  readonly protocol?: 2 | 3 | 4 | 5;
}

/** 16: joblib's `numpy_array_alignment_bytes`, the alignment of array data in the stream. */
const ALIGN = 16;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const UTF8 = new TextEncoder();

class Out {
  readonly parts: Uint8Array[] = [];
  size = 0;
  bytes(b: Uint8Array | number[]): this {
    const u = b instanceof Uint8Array ? b : new Uint8Array(b);
    this.parts.push(u);
    this.size += u.length;
    return this;
  }
  concat(): Uint8Array {
    const all = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      all.set(p, o);
      o += p.length;
    }
    return all;
  }
}

const u32le = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];

/** Writes the opcodes of one pickle protocol (strings and globals differ by protocol). */
const opcodes = (out: Out, protocol: number) => {
  const str = (s: string): void => {
    const b = UTF8.encode(s);
    // SHORT_BINUNICODE (protocol 4+) or BINUNICODE.
    out.bytes(protocol >= 4 && b.length < 256 ? [0x8c, b.length] : [0x58, ...u32le(b.length)])
      .bytes(b);
  };
  const int = (n: number): void => {
    if (n >= 0 && n < 256) out.bytes([0x4b, n]); // BININT1
    else if (n >= 0 && n < 65536) out.bytes([0x4d, n & 255, n >> 8]); // BININT2
    else out.bytes([0x4a, ...u32le(n)]); // BININT (signed 32-bit)
  };
  const global = (module: string, name: string): void => {
    if (protocol >= 4) {
      str(module);
      str(name);
      out.bytes([0x93]); // STACK_GLOBAL
    } else out.bytes([0x63]).bytes(UTF8.encode(`${module}\n${name}\n`)); // GLOBAL
  };
  return { str, int, global };
};

const dataBytes = (a: ShapedArray, size: number): Uint8Array => {
  const d = a.data;
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  const b = new Uint8Array(d.length * size);
  const v = new DataView(b.buffer);
  for (let i = 0; i < d.length; i++) {
    if (size === 4) v.setFloat32(4 * i, d[i], true);
    else v.setFloat64(8 * i, d[i], true);
  }
  return b;
};

/** Appends one array: the wrapper, its state, BUILD, the pad, the data. */
const writeArray = (out: Out, protocol: number, a: ShapedArray): void => {
  const { str, int, global } = opcodes(out, protocol);
  const size = a.data instanceof Float64Array ? 8 : 4;
  global("joblib.numpy_pickle", "NumpyArrayWrapper");
  out.bytes([0x29, 0x81, 0x7d, 0x28]); // EMPTY_TUPLE NEWOBJ EMPTY_DICT MARK
  str("subclass");
  global("numpy", "ndarray");
  str("shape");
  out.bytes([0x28]); // MARK
  a.shape.forEach(int);
  out.bytes([0x74]); // TUPLE
  str("order");
  str("C");
  str("dtype");
  global("numpy", "dtype");
  str(size === 4 ? "f4" : "f8");
  out.bytes([0x89, 0x88, 0x87, 0x52]); // False True TUPLE3 REDUCE
  // numpy's dtype state: (3, '<', None, None, None, -1, -1, 0)
  out.bytes([0x28, 0x4b, 3]);
  str("<");
  out.bytes([0x4e, 0x4e, 0x4e]);
  int(-1);
  int(-1);
  int(0);
  out.bytes([0x74, 0x62]); // TUPLE BUILD
  str("allow_mmap");
  out.bytes([0x88]); // True
  str("numpy_array_alignment_bytes");
  int(ALIGN);
  out.bytes([0x75, 0x62]); // SETITEMS BUILD
  // joblib's rule: after the pad-length byte, pad so that the data starts at a multiple of 16.
  const pad = ALIGN - ((out.size + 1) % ALIGN);
  out.bytes([pad, ...new Array<number>(pad).fill(0xff)]);
  out.bytes(dataBytes(a, size));
};

/**
 * A joblib file of `arrays` (a Python list of C-order float32 arrays, float64 for
 * Float64Array data), LZ4-framed unless `compress` is false. An array whose data length does
 * not match its shape gives an `InputError`.
 *
 * @example
 * ```ts
 * import { encodeJoblib } from "@mtcnn/mtcnn/weights";
 * const r = encodeJoblib([{ shape: [1, 1, 2], data: new Float32Array([0.5, -1]) }]);
 * if (r._tag === "Right") await Deno.writeFile("alpha.lz4", r.right);
 * ```
 */
export const encodeJoblib = (
  arrays: readonly ShapedArray[],
  options: JoblibEncodeOptions = {},
): Result<MtcnnError, Uint8Array> => {
  const protocol = options.protocol ?? 4;
  for (const [i, a] of arrays.entries()) {
    const ok = a.shape.every((d) => Number.isSafeInteger(d) && d >= 0 && d < 2 ** 31) &&
      (a.data instanceof Float32Array || a.data instanceof Float64Array);
    if (!ok || a.data.length !== sizeOf(a.shape)) {
      return E.left(
        mtcnnError(
          "InputError",
          `array ${i}: shape (${a.shape.join(", ")}) does not match its ${a.data.length} values`,
        ),
      );
    }
  }
  const out = new Out().bytes([0x80, protocol, 0x5d, 0x28]); // PROTO EMPTY_LIST MARK
  for (const a of arrays) writeArray(out, protocol, a);
  out.bytes([0x65, 0x2e]); // APPENDS STOP
  const pickle = out.concat();
  return E.right(options.compress === false ? pickle : encodeLz4Frame(pickle));
};
