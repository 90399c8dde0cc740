/**
 * Learning-rate schedules for training: a function of the global step.
 *
 * @module
 */

/** How the learning rate changes over training. */
export interface LrSchedule {
  /** `constant`, `step` (times `gamma` every `every` steps) or `cosine` (to 0 at `total`). */
  readonly kind: "constant" | "step" | "cosine";
  /** The initial rate (default 0.001, Adam's usual start). */
  readonly base: number;
  /** Steps between decays for `step` (default 1000). */
  readonly every?: number;
  /** Decay factor for `step` (default 0.1). */
  readonly gamma?: number;
  /** Total steps for `cosine`. */
  readonly total?: number;
  /** Linear warm-up steps from 0 (default 0). */
  readonly warmup?: number;
}

/**
 * The learning rate at a 0-based global step.
 *
 * @example
 * ```ts
 * import { learningRateAt } from "@mtcnn/mtcnn/train";
 * const s = { kind: "step", base: 0.001, every: 100, gamma: 0.1 } as const;
 * console.log(learningRateAt(s, 0), learningRateAt(s, 250)); // 0.001 0.00001
 * ```
 */
export const learningRateAt = (s: LrSchedule, step: number): number => {
  const warm = s.warmup ?? 0;
  const w = warm > 0 && step < warm ? (step + 1) / warm : 1;
  switch (s.kind) {
    case "constant":
      return s.base * w;
    case "step":
      return s.base * w * Math.pow(s.gamma ?? 0.1, Math.floor(step / (s.every ?? 1000)));
    case "cosine": {
      const t = Math.min(1, step / Math.max(1, s.total ?? 1));
      return s.base * w * 0.5 * (1 + Math.cos(Math.PI * t));
    }
  }
};
