/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal (logs stay clean).
 *
 * @module
 */

/** A progress bar. */
export interface Progress {
  /** Redraws with `done` of `total` and a free text (loss, samples/s). */
  update(done: number, total: number, text: string): void;
  /** Ends the line. */
  done(): void;
}

const enc = new TextEncoder();

/** A bar on stderr when it is a terminal (or `force`), else a no-op. */
export const progressBar = (label: string, force = false): Progress => {
  const on = force || Deno.stderr.isTerminal();
  let last = 0;
  let drawn = false;
  return {
    update(done, total, text) {
      if (!on) return;
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const f = total > 0 ? Math.min(1, done / total) : 0;
      const bar = "#".repeat(Math.round(f * 24)).padEnd(24, "-");
      Deno.stderr.writeSync(
        enc.encode(`\r${label} [${bar}] ${(f * 100).toFixed(0).padStart(3)}% ${text}\x1b[K`),
      );
      drawn = true;
    },
    done() {
      if (on && drawn) Deno.stderr.writeSync(enc.encode("\n"));
      drawn = false;
    },
  };
};
