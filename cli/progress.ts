/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal.
 *
 * @module
 */
import { stderrIsTerminal } from "./common.ts";

/** A progress bar; `tick` advances it, `done` clears the line. */
export interface Progress {
  /** Advances by `n` (default 1), with an optional note such as a loss. */
  tick(n?: number, note?: string): void;
  /** Ends the bar. */
  done(): void;
}

const enc = new TextEncoder();

/** A progress bar over `total` items labelled `label`; silent when not a terminal. */
export const progress = (label: string, total: number, enabled = stderrIsTerminal()): Progress => {
  let n = 0;
  let last = 0;
  const t0 = performance.now();
  const draw = (note = "") => {
    const frac = total > 0 ? Math.min(n / total, 1) : 0;
    const width = 24;
    const full = Math.round(frac * width);
    const secs = (performance.now() - t0) / 1000;
    const rate = secs > 0 ? (n / secs).toFixed(1) : "0";
    const line = `\r${label} [${"#".repeat(full)}${
      " ".repeat(width - full)
    }] ${n}/${total} ${rate}/s ${note}`;
    Deno.stderr.writeSync(enc.encode(line.slice(0, 160)));
  };
  return {
    tick: (k = 1, note?: string) => {
      n += k;
      if (!enabled) return;
      const now = performance.now();
      if (now - last > 100 || n >= total) {
        last = now;
        draw(note);
      }
    },
    done: () => {
      if (enabled) Deno.stderr.writeSync(enc.encode("\r\x1b[K"));
    },
  };
};
