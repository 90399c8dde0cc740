/**
 * `eval`: accuracy of the detector on annotated data (`wider`, `landmarks`).
 *
 * @module
 */
import { printError } from "./common.ts";

/** The subcommands and the modules that run them. */
const SUBCOMMANDS: Readonly<
  Record<
    string,
    { help: string; load: () => Promise<{ run: (args: string[]) => Promise<number> }> }
  >
> = {
  wider: {
    help: "detection AP on WIDER FACE ground truth (official protocol)",
    load: () => import("./eval_wider.ts"),
  },
  landmarks: {
    help: "landmark error on an MTFL or CNN_FacePoint list",
    load: () => import("./eval_landmarks.ts"),
  },
};

/** The help text. */
export const EVAL_HELP = `Usage: deno task eval <subcommand> [options]

Subcommands:
${Object.entries(SUBCOMMANDS).map(([k, v]) => `  ${k.padEnd(11)}${v.help}`).join("\n")}

Run a subcommand with --help for its options.`;

/** Runs `eval`; returns the exit code. */
export const run = async (args: string[]): Promise<number> => {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    console.log(EVAL_HELP);
    return sub === undefined ? 2 : 0;
  }
  const s = SUBCOMMANDS[sub];
  if (!s) return printError(`unknown eval subcommand ${JSON.stringify(sub)} (see eval --help)`), 2;
  return await (await s.load()).run(rest);
};
