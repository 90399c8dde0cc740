/**
 * A progress bar that counts items, for the commands; drawn by the project's one bar
 * (`pipelines/edge/progress.ts`), only when stderr is a terminal.
 *
 * @module
 */
import { progressBar } from "../pipelines/edge/progress.ts";

/** A progress bar; `tick` advances it, `done` ends the line. */
export interface Progress {
  /** Advances by `n` (default 1), with an optional note such as a loss. */
  tick(n?: number, note?: string): void;
  /** Ends the bar. */
  done(): void;
}

/** A progress bar over `total` items labelled `label`; silent when not enabled. */
export const progress = (label: string, total: number, enabled?: boolean): Progress => {
  const bar = progressBar(label, enabled);
  const t0 = performance.now();
  let n = 0;
  return {
    tick: (k = 1, note = "") => {
      n += k;
      const secs = (performance.now() - t0) / 1000;
      const rate = secs > 0 ? (n / secs).toFixed(1) : "0";
      // A streamed input has no known total (0): the count alone.
      bar.update(n, total, `${total > 0 ? `${n}/${total}` : n} ${rate}/s ${note}`);
    },
    done: () => bar.done(),
  };
};
