/**
 * Expected failures as values: every fallible function in this library returns one of these
 * (inside an `Either` or `TaskEither`) instead of throwing.
 *
 * @module
 */

/** The kinds of expected failure. */
export type MtcnnErrorTag =
  /** A file or byte source could not be read. */
  | "IoError"
  /** Bytes could not be decoded as an image. */
  | "DecodeError"
  /** An input is valid data but not acceptable (wrong shape, too large, empty, ...). */
  | "InputError"
  /** Weights are missing, malformed, of the wrong shape, or hold NaN / Inf. */
  | "WeightsError"
  /** A weight or dataset file is not in the format it claims to be. */
  | "FormatError"
  /** The tensor backend could not be initialised or failed while computing. */
  | "BackendError"
  /** A command-line or option value is not acceptable. */
  | "OptionError"
  /** A stage of a cascade threw instead of returning a failure (a bug in a custom stage). */
  | "StageError";

/** An expected failure: a tag to branch on, a message for people, and the underlying cause. */
export interface MtcnnError {
  /** What kind of failure this is. */
  readonly _tag: MtcnnErrorTag;
  /** One sentence a person understands, naming the input at fault. */
  readonly message: string;
  /** The underlying exception or value, when there is one. */
  readonly cause?: unknown;
}

/**
 * Makes an {@linkcode MtcnnError}.
 */
export const mtcnnError = (
  tag: MtcnnErrorTag,
  message: string,
  cause?: unknown,
): MtcnnError => (cause === undefined ? { _tag: tag, message } : { _tag: tag, message, cause });

/**
 * Returns true when `u` has the shape of an {@linkcode MtcnnError}.
 */
export const isMtcnnError = (u: unknown): u is MtcnnError =>
  typeof u === "object" && u !== null && "_tag" in u && "message" in u &&
  typeof (u as MtcnnError).message === "string";

/** The message of any thrown value, for wrapping unexpected exceptions. */
export const describe = (u: unknown): string =>
  u instanceof Error ? u.message : isMtcnnError(u) ? u.message : String(u);

/**
 * Wraps a caught exception as an {@linkcode MtcnnError} of the given tag, prefixing `what`;
 * an exception that already is an `MtcnnError` is kept as it is.
 */
export const fromUnknown = (tag: MtcnnErrorTag, what: string): (u: unknown) => MtcnnError => (u) =>
  u instanceof MtcnnException
    ? u.error
    : isMtcnnError(u)
    ? u
    : mtcnnError(tag, `${what}: ${describe(u)}`, u);

/** Error thrown inside our own synchronous code and caught at a TaskEither boundary. */
export class MtcnnException extends Error {
  /** The failure carried. */
  readonly error: MtcnnError;
  /** Wraps `error` so that it can cross a `throw`. */
  constructor(error: MtcnnError) {
    super(error.message);
    this.error = error;
  }
}
