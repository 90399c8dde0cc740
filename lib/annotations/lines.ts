/**
 * Line-oriented text annotation files: numbered lines and field parsing that reports
 * `file:line` on failure. Internal helpers of the list parsers (not exported by `mod.ts`).
 *
 * @module
 */
import { type MtcnnError, mtcnnError } from "../errors.ts";

/** One line of a text file, trimmed, with its 1-based line number. */
export interface NumberedLine {
  /** 1-based line number in the file. */
  readonly line: number;
  /** The line without surrounding white space (and without a `\r`). */
  readonly text: string;
}

/**
 * The lines of `text` with their 1-based numbers; blank lines are kept (as empty text) so
 * that formats where a blank line matters can see them.
 */
export const numberedLines = (text: string): NumberedLine[] =>
  text.split("\n").map((t, i) => ({ line: i + 1, text: t.trim() }));

/** A FormatError naming `file:line`. */
export const lineError = (file: string, line: number, message: string): MtcnnError =>
  mtcnnError("FormatError", `${file}:${line}: ${message}`);

/**
 * Parses `fields` as finite numbers, or returns the FormatError for `file:line` naming the
 * first bad field.
 */
export const parseNumberFields = (
  fields: readonly string[],
  file: string,
  line: number,
): number[] | MtcnnError => {
  const out: number[] = [];
  for (const f of fields) {
    const v = Number(f);
    if (f === "" || !Number.isFinite(v)) return lineError(file, line, `"${f}" is not a number`);
    out.push(v);
  }
  return out;
};
