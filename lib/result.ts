/**
 * Local names for the shapes of fp-ts's `Either` and `TaskEither`, so that public signatures
 * stay documented for JSR. Values of these types are fp-ts values: every `fp-ts/Either.js` and
 * `fp-ts/TaskEither.js` function accepts them.
 *
 * @module
 */

/** A failure, as fp-ts's `Left`. */
export interface Failure<E> {
  /** Always `"Left"`. */
  readonly _tag: "Left";
  /** The failure. */
  readonly left: E;
}

/** A success, as fp-ts's `Right`. */
export interface Success<A> {
  /** Always `"Right"`. */
  readonly _tag: "Right";
  /** The value. */
  readonly right: A;
}

/** Either a failure `E` or a value `A` (fp-ts's `Either`). */
export type Result<E, A> = Failure<E> | Success<A>;

/** A lazy asynchronous {@linkcode Result} (fp-ts's `TaskEither`). */
export type TaskResult<E, A> = () => Promise<Result<E, A>>;
