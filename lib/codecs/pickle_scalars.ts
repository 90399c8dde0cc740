/**
 * The pickle opcodes that push one plain value read from the stream: None, booleans,
 * integers, floats, strings and bytes.
 *
 * @module
 */
import { int, type PickleReader, type PickleValue } from "./pickle_values.ts";

/** What {@linkcode readScalar} returns for an opcode that is not a scalar one. */
export const NOT_SCALAR: unique symbol = Symbol("not a scalar opcode");

/** The byte width of each opcode's integer argument (or of its length field). */
const WIDTH: Readonly<Record<number, number>> = {
  0x4b: 1, // BININT1
  0x4d: 2, // BININT2
  0x8a: 1, // LONG1
  0x8b: 4, // LONG4
  0x8c: 1, // SHORT_BINUNICODE
  0x58: 4, // BINUNICODE
  0x8d: 8, // BINUNICODE8
  0x43: 1, // SHORT_BINBYTES
  0x42: 4, // BINBYTES
  0x8e: 8, // BINBYTES8
  0x96: 8, // BYTEARRAY8
};

/** The value a scalar opcode `op` pushes, read from `r`; NOT_SCALAR for other opcodes. */
export const readScalar = (op: number, r: PickleReader): PickleValue | typeof NOT_SCALAR => {
  switch (op) {
    case 0x4e: // NONE
      return null;
    case 0x88: // NEWTRUE
    case 0x89: // NEWFALSE
      return op === 0x88;
    case 0x4b: // BININT1
    case 0x4d: // BININT2
      return r.uint(WIDTH[op]);
    case 0x4a: // BININT: signed 32-bit
      return r.uint(4) | 0;
    case 0x8a: // LONG1
    case 0x8b: // LONG4
      return int(r.take(r.uint(WIDTH[op]), "a long integer"));
    case 0x47: { // BINFLOAT: big-endian float64
      const b = r.take(8, "a float");
      return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, false);
    }
    case 0x8c: // SHORT_BINUNICODE
    case 0x58: // BINUNICODE
    case 0x8d: // BINUNICODE8
      return r.text(r.uint(WIDTH[op]));
    case 0x43: // SHORT_BINBYTES
    case 0x42: // BINBYTES
    case 0x8e: // BINBYTES8
    case 0x96: // BYTEARRAY8
      return r.take(r.uint(WIDTH[op]), "bytes").slice();
    default:
      return NOT_SCALAR;
  }
};
