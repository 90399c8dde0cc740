/**
 * The one progress bar of the project (training, dataset generation, detection, evaluation): one
 * line on stderr, drawn only when stderr is a terminal, so that logs and pipes stay clean.
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

const stderrIsTerminal = (): boolean => {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
};

/** A bar on stderr when `enabled` (default: when stderr is a terminal), else a no-op. */
export const progressBar = (label: string, enabled: boolean = stderrIsTerminal()): Progress => {
  const on = enabled;
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
