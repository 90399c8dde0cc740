/**
 * The `mtcnn` command line: `detect`, `convert`, `eval`, `dataset`, `train`, `summary`.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-ffi --allow-env --allow-sys jsr:@mtcnn/mtcnn/cli detect photo.jpg
 * ```
 *
 * @module
 */

import type { EarlyWorkers } from "./cli/early.ts";

/** The commands and the modules that run them. */
const COMMANDS: Readonly<
  Record<
    string,
    {
      help: string;
      load: () => Promise<{ run: (args: string[], early?: EarlyWorkers) => Promise<number> }>;
    }
  >
> = {
  detect: { help: "faces of images as NDJSON", load: () => import("./cli/detect.ts") },
  convert: {
    help: "weight files between .lz4, .pkl/.joblib and tfjs .json",
    load: () => import("./cli/convert.ts"),
  },
  eval: { help: "accuracy on WIDER FACE or landmark lists", load: () => import("./cli/eval.ts") },
  dataset: { help: "training sets for PNet, RNet, ONet", load: () => import("./cli/dataset.ts") },
  train: { help: "train or fine-tune a network", load: () => import("./cli/train.ts") },
  summary: {
    help: "layer table of PNet, RNet or ONet (shapes, parameters)",
    load: () => import("./cli/summary.ts"),
  },
  queue: { help: "detection through a Redis queue (BullMQ)", load: () => import("./cli/queue.ts") },
};

/** The top-level help. */
export const HELP = `Usage: mtcnn <command> [options]   (deno task <command> [options])

Commands:
${Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(10)}${v.help}`).join("\n")}

Run a command with --help for its options.`;

/**
 * Runs the command line with `args`; returns the exit code.
 *
 * @example
 * ```ts
 * import { main } from "@mtcnn/mtcnn/cli";
 * const code = await main(["--help"]);
 * console.log(code); // 0
 * ```
 */
export const main = async (args: readonly string[]): Promise<number> => {
  const [cmd, ...rest] = args;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(HELP);
    return cmd === undefined ? 2 : 0;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    const names = Object.keys(COMMANDS).join(", ");
    console.error(`error: unknown command ${JSON.stringify(cmd)} (commands: ${names}; see --help)`);
    return 2;
  }
  // detect's workers start loading their modules on the other core while this thread loads its.
  const early = cmd === "detect"
    ? (await import("./cli/early.ts")).startEarlyWorkers(rest)
    : undefined;
  try {
    const command = await c.load();
    // A named, process-wide effect, chosen by the command line rather than the library.
    (await import("./pipelines/edge/backend.ts")).enableProductionMode();
    return await command.run(rest, early);
  } finally {
    early?.release();
  }
};

if (import.meta.main) Deno.exit(await main(Deno.args));
