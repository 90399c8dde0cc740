/**
 * How long-running library functions report progress: a callback the caller may give. The
 * library draws nothing; the command line draws a bar from it.
 *
 * @module
 */

/** Called as work advances: `done` of `total` items, and a short status text. */
export type OnProgress = (done: number, total: number, text: string) => void;

/** A progress sink calling `onProgress` when given, and doing nothing otherwise. */
export const progressOf = (
  onProgress?: OnProgress,
): { update: OnProgress; done(): void } => ({
  update: onProgress ?? (() => {}),
  done: () => {},
});
