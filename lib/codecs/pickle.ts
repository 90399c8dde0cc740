/**
 * A small, safe pickle machine for protocols 2 to 5: the opcodes of Python's `pickletools`
 * that build plain data (None, bools, ints, floats, strings, bytes, tuples, lists, dicts,
 * the memo) and objects of exactly three classes, the ones joblib writes for arrays:
 * `joblib.numpy_pickle.NumpyArrayWrapper`, `numpy.ndarray` and `numpy.dtype`. Any other
 * class or function, persistent ids, extension codes and out-of-band buffers are refused.
 * Nothing is ever called: objects are records of their class name, arguments and state.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import {
  asObject,
  callable,
  fail,
  global,
  key,
  PickleFail,
  type PickleGlobal,
  type PickleObject,
  PickleReader,
  type PickleValue,
  tupleItems,
} from "./pickle_values.ts";
import { NOT_SCALAR, readScalar } from "./pickle_scalars.ts";

export type {
  PickleDict,
  PickleGlobal,
  PickleHost,
  PickleList,
  PickleObject,
  PickleTuple,
  PickleValue,
} from "./pickle_values.ts";
export { JOBLIB_GLOBALS, PickleReader } from "./pickle_values.ts";

/** Options of {@linkcode loadPickle}. */
export interface PickleOptions {
  /**
   * Called after each BUILD with the object just built and the reader positioned right after
   * the BUILD opcode. It may read raw bytes that follow (joblib puts array data there) and
   * return a value to replace the object on the stack. Default: none.
   */
  readonly afterBuild?: (
    built: PickleValue,
    reader: PickleReader,
  ) => Result<MtcnnError, PickleValue | undefined>;
}

/** What a pickle run gives: the value STOP returned, and the offset just after STOP. */
export interface PickleLoad {
  /** The unpickled value. */
  readonly value: PickleValue;
  /** The offset after the STOP opcode (trailing bytes are ignored, as Python does). */
  readonly end: number;
}

/** An object record: a class and its arguments; nothing is called. */
const object = (cls: PickleGlobal, args: readonly PickleValue[]): PickleObject => ({
  kind: "object",
  cls,
  args,
  state: undefined,
});

/** Runs the machine; throws PickleFail on any problem. */
const run = (r: PickleReader, options: PickleOptions): PickleLoad => {
  let stack: PickleValue[] = [];
  const marks: PickleValue[][] = [];
  const memo = new Map<number, PickleValue>();
  const pop = (): PickleValue => stack.length > 0 ? stack.pop()! : fail("the stack is empty");
  const top = (): PickleValue => stack.length > 0 ? stack[stack.length - 1] : fail("empty stack");
  const popMark = (): PickleValue[] => {
    const items = stack;
    stack = marks.pop() ?? fail("no MARK before a multi-item opcode");
    return items;
  };
  const get = (i: number): PickleValue => memo.has(i) ? memo.get(i)! : fail(`no memo entry ${i}`);
  const listItems = (v: PickleValue): PickleValue[] =>
    typeof v === "object" && v !== null && "kind" in v && v.kind === "list"
      ? v.items
      : fail("APPEND target is not a list");
  const setItems = (target: PickleValue, kv: PickleValue[]): void => {
    if (typeof target !== "object" || target === null || !("kind" in target)) fail("bad dict");
    const d = target as { kind: string; entries: Map<string | number, PickleValue> };
    if (d.kind !== "dict" || kv.length % 2 !== 0) fail("SETITEMS needs a dict and pairs");
    for (let i = 0; i < kv.length; i += 2) d.entries.set(key(kv[i]), kv[i + 1]);
  };
  const op0 = r.left > 0 ? r.bytes[r.pos] : -1;
  if (op0 !== 0x80) fail("not a pickle of protocol 2 to 5 (no PROTO opcode at the start)");
  for (;;) {
    const at = r.pos;
    const op = r.uint(1, "an opcode");
    const scalar = readScalar(op, r);
    if (scalar !== NOT_SCALAR) {
      stack.push(scalar);
      continue;
    }
    switch (op) {
      case 0x80: { // PROTO
        const v = r.uint(1);
        if (v < 2 || v > 5) fail(`pickle protocol ${v} is not supported (2 to 5 are)`);
        break;
      }
      case 0x95: { // FRAME: a length hint; the stream is read linearly.
        const n = r.uint(8, "a frame length");
        if (n > r.left) fail(`a frame of ${n} bytes runs past the end`);
        break;
      }
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x2e: // STOP
        return { value: pop(), end: r.pos };
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x98: // READONLY_BUFFER: no-op on in-band data
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push({ kind: "tuple", items: [] });
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: { // TUPLE3
        const n = op - 0x84;
        if (stack.length < n) fail(`TUPLE${n} needs ${n} items on the stack`);
        stack.push({ kind: "tuple", items: stack.splice(stack.length - n, n) });
        break;
      }
      case 0x74: { // TUPLE (popMark swaps the stack: take the items first)
        const items = popMark();
        stack.push({ kind: "tuple", items });
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push({ kind: "list", items: [] });
        break;
      case 0x6c: { // LIST
        const items = popMark();
        stack.push({ kind: "list", items });
        break;
      }
      case 0x61: { // APPEND
        const v = pop();
        listItems(top()).push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const list = listItems(top());
        for (const v of items) list.push(v);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push({ kind: "dict", entries: new Map() });
        break;
      case 0x64: { // DICT
        const d: PickleValue = { kind: "dict", entries: new Map() };
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x63: { // GLOBAL: "module\nname\n"
        const module = r.line();
        stack.push(global(module, r.line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof name !== "string" || typeof module !== "string") fail("bad STACK_GLOBAL");
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: { // NEWOBJ
        const args = tupleItems(pop(), "the arguments");
        stack.push(object(callable(pop(), "REDUCE's callable"), args));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop();
        const args = tupleItems(pop(), "the arguments");
        const isEmpty = typeof kwargs === "object" && kwargs !== null && "kind" in kwargs &&
          kwargs.kind === "dict" && kwargs.entries.size === 0;
        if (!isEmpty) fail("NEWOBJ_EX with keyword arguments is not supported");
        stack.push(object(callable(pop(), "NEWOBJ_EX's class"), args));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const obj = asObject(top(), "BUILD's target");
        obj.state = state;
        const hook = options.afterBuild?.(obj, r);
        if (hook?._tag === "Left") throw hook.left;
        if (hook?.right !== undefined) stack[stack.length - 1] = hook.right;
        break;
      }
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x71: // BINPUT
      case 0x72: // LONG_BINPUT
        memo.set(r.uint(op === 0x71 ? 1 : 4), top());
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
        stack.push(get(r.uint(op === 0x68 ? 1 : 4)));
        break;
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)} at offset ${at}`);
    }
  }
};

/**
 * Unpickles `bytes` (protocol 2 to 5) from offset `start` with the restricted machine.
 * Malformed streams, refused globals and unsupported opcodes give a `FormatError`; this
 * never throws, never runs code, and allocates at most about the size of its input.
 *
 * @example
 * ```ts
 * import { loadPickle } from "./pickle.ts";
 * // pickle.dumps([1, "a"], protocol=2)
 * const bytes = new Uint8Array([0x80, 2, 0x5d, 0x71, 0, 0x28, 0x4b, 1, 0x58, 1, 0, 0, 0, 0x61,
 *   0x71, 1, 0x65, 0x2e]);
 * const r = loadPickle(bytes);
 * if (r._tag === "Right") console.log(r.right.value); // { kind: "list", items: [1, "a"] }
 * ```
 */
export const loadPickle = (
  bytes: Uint8Array,
  options: PickleOptions = {},
  start = 0,
): Result<MtcnnError, PickleLoad> => {
  try {
    return E.right(run(new PickleReader(bytes, start), options));
  } catch (e) {
    if (e instanceof PickleFail) return E.left(mtcnnError("FormatError", `pickle: ${e.message}`));
    if (typeof e === "object" && e !== null && "_tag" in e) return E.left(e as MtcnnError);
    return E.left(mtcnnError("FormatError", `pickle: ${String(e)}`, e));
  }
};
