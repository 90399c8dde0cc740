/**
 * Composing stages: `cascade(a, b, c)` runs them one after another and stops at the first
 * failure. Its type checks that each stage takes what the one before it gives, so a cascade in
 * the wrong order, or with a missing crop stage, is a compile error.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../lib/errors.ts";
import type { Result } from "../lib/result.ts";
import type { Stage } from "./state.ts";

/**
 * Runs one stage, turning a throw (a custom stage's bug) into a `StageError` value.
 */
export const runStage = async <A, B>(
  stage: Stage<A, B>,
  state: A,
): Promise<Result<MtcnnError, B>> => {
  try {
    return await stage(state);
  } catch (e) {
    return E.left(
      mtcnnError("StageError", `a stage threw instead of returning an error: ${describe(e)}`, e),
    );
  }
};

/**
 * Stages run one after another, as one stage; the first failure stops it. A stage that throws
 * (instead of returning a failure) gives a `StageError`.
 *
 * @example
 * ```ts
 * import { cascade, crop, localNets, output, propose, pyramid, refine } from "@mtcnn/mtcnn/stages";
 * import { loadDefaultWeights } from "@mtcnn/mtcnn/weights";
 * const w = await loadDefaultWeights();
 * if (w._tag === "Right") {
 *   const nets = localNets(w.right);
 *   if (nets._tag === "Right") {
 *     const n = nets.right;
 *     // the classic cascade; leaving out crop(24) would not compile
 *     const full = cascade(
 *       pyramid(), propose(n.pnet), crop(24), refine(n.rnet), crop(48), output(n.onet),
 *     );
 *     n.dispose();
 *   }
 * }
 * ```
 */
export function cascade<A, B>(ab: Stage<A, B>): Stage<A, B>;
/** Two stages. */
export function cascade<A, B, C>(ab: Stage<A, B>, bc: Stage<B, C>): Stage<A, C>;
/** Three stages. */
export function cascade<A, B, C, D>(
  ab: Stage<A, B>,
  bc: Stage<B, C>,
  cd: Stage<C, D>,
): Stage<A, D>;
/** Four stages. */
export function cascade<A, B, C, D, F>(
  ab: Stage<A, B>,
  bc: Stage<B, C>,
  cd: Stage<C, D>,
  df: Stage<D, F>,
): Stage<A, F>;
/** Five stages. */
export function cascade<A, B, C, D, F, G>(
  ab: Stage<A, B>,
  bc: Stage<B, C>,
  cd: Stage<C, D>,
  df: Stage<D, F>,
  fg: Stage<F, G>,
): Stage<A, G>;
/** Six stages. */
export function cascade<A, B, C, D, F, G, H>(
  ab: Stage<A, B>,
  bc: Stage<B, C>,
  cd: Stage<C, D>,
  df: Stage<D, F>,
  fg: Stage<F, G>,
  gh: Stage<G, H>,
): Stage<A, H>;
/** Seven stages. */
export function cascade<A, B, C, D, F, G, H, I>(
  ab: Stage<A, B>,
  bc: Stage<B, C>,
  cd: Stage<C, D>,
  df: Stage<D, F>,
  fg: Stage<F, G>,
  gh: Stage<G, H>,
  hi: Stage<H, I>,
): Stage<A, I>;
/** Eight stages. */
export function cascade<A, B, C, D, F, G, H, I, J>(
  ab: Stage<A, B>,
  bc: Stage<B, C>,
  cd: Stage<C, D>,
  df: Stage<D, F>,
  fg: Stage<F, G>,
  gh: Stage<G, H>,
  hi: Stage<H, I>,
  ij: Stage<I, J>,
): Stage<A, J>;
/** Nine stages. */
export function cascade<A, B, C, D, F, G, H, I, J, K>(
  ab: Stage<A, B>,
  bc: Stage<B, C>,
  cd: Stage<C, D>,
  df: Stage<D, F>,
  fg: Stage<F, G>,
  gh: Stage<G, H>,
  hi: Stage<H, I>,
  ij: Stage<I, J>,
  jk: Stage<J, K>,
): Stage<A, K>;
export function cascade(...stages: Stage<unknown, unknown>[]): Stage<unknown, unknown> {
  return async (state) => {
    let at: Result<MtcnnError, unknown> = E.right(state);
    for (const stage of stages) {
      if (at._tag === "Left") return at;
      at = await runStage(stage, at.right);
    }
    return at;
  };
}
