/**
 * Checks of stage parameters: a bad value is an OptionError naming the stage and the
 * parameter, returned by the stage when it runs (stages never throw).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../../lib/errors.ts";
import type { Result } from "../../lib/result.ts";

/** A value in [0, 1] (a probability threshold or an overlap ratio), or an OptionError. */
export const unitParam = (stage: string, name: string, v: number): MtcnnError | undefined =>
  typeof v === "number" && v >= 0 && v <= 1
    ? undefined
    : mtcnnError("OptionError", `${stage}: ${name} must be a number in [0, 1], got ${v}`);

/** The first error of `checks`, as a failed result, or undefined when all passed. */
export const firstError = (
  ...checks: (MtcnnError | undefined)[]
): Result<MtcnnError, never> | undefined => {
  const e = checks.find((c) => c !== undefined);
  return e ? E.left(e) : undefined;
};
