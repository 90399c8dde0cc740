/**
 * The commands' progress bars: one line on stderr, drawn only when stderr is a terminal, so
 * that logs and pipes stay clean. The library draws nothing: its long-running functions take
 * an `onProgress` callback, and the commands draw from it here.
 *
 * @module
 */

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

/** A bar drawn from a done / total count. */
export interface Bar {
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
export const progressBar = (label: string, enabled: boolean = stderrIsTerminal()): Bar => {
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
