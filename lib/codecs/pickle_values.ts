/**
 * The values a {@linkcode loadPickle} run builds, and the byte reader it runs on. Nothing here
 * runs Python code: a class reference is only a name, an object is only its class name, its
 * constructor arguments and its state.
 *
 * @module
 */

/** A reference to a Python class or function by module and name (never resolved or run). */
export interface PickleGlobal {
  /** Always `"global"`. */
  readonly kind: "global";
  /** Module, e.g. `numpy`. */
  readonly module: string;
  /** Name in the module, e.g. `dtype`. */
  readonly name: string;
}

/** An object made by NEWOBJ or REDUCE, and given a state by BUILD. */
export interface PickleObject {
  /** Always `"object"`. */
  readonly kind: "object";
  /** Its class (or factory function). */
  readonly cls: PickleGlobal;
  /** The constructor arguments. */
  readonly args: readonly PickleValue[];
  /** The state from BUILD; undefined until then. */
  state: PickleValue | undefined;
}

/** A Python tuple. */
export interface PickleTuple {
  /** Always `"tuple"`. */
  readonly kind: "tuple";
  /** The items. */
  readonly items: readonly PickleValue[];
}

/** A Python list. */
export interface PickleList {
  /** Always `"list"`. */
  readonly kind: "list";
  /** The items. */
  readonly items: PickleValue[];
}

/** A Python dict whose keys are strings or integers. */
export interface PickleDict {
  /** Always `"dict"`. */
  readonly kind: "dict";
  /** The entries. */
  readonly entries: Map<string | number, PickleValue>;
}

/** A value put on the stack by an `afterBuild` hook (for joblib: a decoded array). */
export interface PickleHost {
  /** Always `"host"`. */
  readonly kind: "host";
  /** Whatever the hook made. */
  readonly value: unknown;
}

/** Any value of the restricted pickle machine. Bytes are Uint8Arrays. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleGlobal
  | PickleObject
  | PickleTuple
  | PickleList
  | PickleDict
  | PickleHost;

/** Thrown inside the pickle machine and turned into a `FormatError` at its boundary. */
export class PickleFail extends Error {}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A bounds-checked cursor over a byte stream; every read past the end throws PickleFail. */
export class PickleReader {
  /** The whole stream. */
  readonly bytes: Uint8Array;
  /** The next byte to read. */
  pos: number;

  /** A reader of `bytes` from offset `pos`. */
  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }

  /** Bytes left to read. */
  get left(): number {
    return this.bytes.length - this.pos;
  }

  /** The next `n` bytes (a view, not a copy). */
  take(n: number, what = "data"): Uint8Array {
    if (!(n >= 0 && n <= this.left)) {
      throw new PickleFail(`${what} of ${n} bytes runs past the end (${this.left} left)`);
    }
    this.pos += n;
    return this.bytes.subarray(this.pos - n, this.pos);
  }

  /** An unsigned little-endian integer of `n` (1, 2, 4 or 8) bytes, at most 2^53 - 1. */
  uint(n: number, what = "a length"): number {
    const b = this.take(n, what);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i];
    if (v > Number.MAX_SAFE_INTEGER) throw new PickleFail(`${what} is too large (${v})`);
    return v;
  }

  /** UTF-8 text of `n` bytes. */
  text(n: number): string {
    try {
      return UTF8.decode(this.take(n, "a string"));
    } catch (e) {
      if (e instanceof PickleFail) throw e;
      throw new PickleFail("a string is not valid UTF-8");
    }
  }

  /** One newline-terminated line (GLOBAL's module and name). */
  line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new PickleFail("a text line has no end");
    const s = this.text(end - this.pos);
    this.pos += 1;
    return s;
  }
}

/** The only globals a pickle may name: the three joblib writes for NumPy arrays. */
export const JOBLIB_GLOBALS: readonly string[] = [
  "joblib.numpy_pickle.NumpyArrayWrapper",
  "numpy.ndarray",
  "numpy.dtype",
];

/** Throws a PickleFail with `msg`. */
export const fail = (msg: string): never => {
  throw new PickleFail(msg);
};

/** The object `v`, or a failure naming `what`. */
export const asObject = (v: PickleValue, what: string): PickleObject =>
  typeof v === "object" && v !== null && "kind" in v && v.kind === "object"
    ? v
    : fail(`${what} is not an object`);

/** A reference to an allowed global; any other is refused. */
export const global = (module: string, name: string): PickleGlobal =>
  JOBLIB_GLOBALS.includes(`${module}.${name}`)
    ? { kind: "global", module, name }
    : fail(`refusing global ${module}.${name} (only joblib's array classes are allowed)`);

/** The class `v`, or a failure naming `what`. */
export const callable = (v: PickleValue, what: string): PickleGlobal =>
  typeof v === "object" && v !== null && "kind" in v && v.kind === "global"
    ? v
    : fail(`${what} is not a class`);

/** The items of tuple `v`, or a failure naming `what`. */
export const tupleItems = (v: PickleValue, what: string): readonly PickleValue[] =>
  typeof v === "object" && v !== null && "kind" in v && v.kind === "tuple"
    ? v.items
    : fail(`${what} is not a tuple`);

/** A dict key: a str or an int. */
export const key = (k: PickleValue): string | number =>
  typeof k === "string" || typeof k === "number" ? k : fail("a dict key is not a str or int");

/** LONG1/LONG4 bytes (little-endian two's complement) as a number, or a bigint past 2^53. */
export const int = (b: Uint8Array): number | bigint => {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b.length > 0 && b[b.length - 1] >= 0x80) v -= 1n << BigInt(8 * b.length);
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
};
