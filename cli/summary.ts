/**
 * `mtcnn summary [pnet|rnet|onet]`: prints the layer table of one network, or of all three
 * (layers, output shapes, parameter counts, as Keras `Model.summary()` prints them).
 *
 * @module
 */
import { summary } from "../train.ts";
import type { NetName } from "../weights.ts";
import { parseArgs } from "./args.ts";
import { printError } from "./common.ts";

/** The help text of `summary`. */
export const SUMMARY_HELP = `Usage: mtcnn summary [pnet|rnet|onet]...   (deno task summary ...)

Prints each layer of the network with its output shape and parameter count, and the total
(PNet 6,632, RNet 100,178, ONet 389,040). Without a name, all three.

Options:
  -h, --help   show this help`;

const NETS: readonly NetName[] = ["pnet", "rnet", "onet"];

/**
 * Runs `summary` with its arguments; returns the exit code (0 done, 2 bad usage).
 *
 * @example
 * ```ts
 * import { run } from "./summary.ts";
 * const code = await run(["onet"]); // prints ONet's table
 * console.log(code); // 0
 * ```
 */
export const run = (args: string[]): Promise<number> => {
  const parsed = parseArgs(args, { values: [], flags: ["help"] });
  if (typeof parsed === "string") {
    printError(`summary: ${parsed} (see --help)`);
    return Promise.resolve(2);
  }
  if (parsed.options.help) {
    console.log(SUMMARY_HELP);
    return Promise.resolve(0);
  }
  const names = parsed.positional;
  const bad = names.find((n) => !NETS.includes(n as NetName));
  if (bad !== undefined) {
    printError(`summary: unknown network ${JSON.stringify(bad)}: usage: summary [pnet|rnet|onet]`);
    return Promise.resolve(2);
  }
  const nets = names.length > 0 ? names as readonly NetName[] : NETS;
  console.log(nets.map((n) => summary(n)).join("\n\n"));
  return Promise.resolve(0);
};
