/**
 * `mtcnn convert <in> <out> [--net pnet|rnet|onet] [--face-api-names]`: converts one
 * network's weights between the formats named by the files' extensions.
 *
 * @module
 */
import { writeNetWeightsFile } from "../weights.ts";
import type { NetName } from "../weights.ts";
import { parseArgs } from "./args.ts";
import { printError } from "./common.ts";
import { outputFileProblem } from "./output_names.ts";
import { readWeightsOrCheckpoint } from "./convert_checkpoint.ts";

/** The help text of `convert`. */
export const CONVERT_HELP = `Usage: mtcnn convert <in> <out> [options]   (deno task convert ...)

Converts one network's weights between formats, chosen by extension:
  .lz4             joblib with LZ4 (the Python mtcnn package's pnet.lz4, rnet.lz4, onet.lz4)
  .pkl, .joblib    plain (uncompressed) joblib pickle
  .json            tfjs weights manifest, its shard files beside it (ours or face-api.js's)
  checkpoint.bin   a training checkpoint (input only; or the folder holding it)

Options:
  --net N           pnet, rnet or onet; needed when the input does not say which
                    (a face-api.js manifest holds all three)
  --face-api-names  write a .json manifest with face-api.js's tensor names and layouts
  --overwrite       replace an existing output file (default: refuse)
  -h, --help        show this help

Examples:
  deno task convert onet.lz4 onet.json
  deno task convert mtcnn_model-weights_manifest.json rnet.lz4 --net rnet`;

const NETS: readonly string[] = ["pnet", "rnet", "onet"];

/**
 * Runs `convert` with its arguments; returns the exit code (0 done, 1 failed, 2 bad usage).
 *
 * @example
 * ```ts
 * import { run } from "./convert.ts";
 * const code = await run(["pnet.lz4", "pnet.json"]);
 * console.log(code); // 0 when pnet.lz4 held PNet weights
 * ```
 */
export const run = async (args: string[]): Promise<number> => {
  const parsed = parseArgs(args, {
    values: ["net"],
    flags: ["help", "face-api-names", "overwrite"],
  });
  if (typeof parsed === "string") {
    printError(`convert: ${parsed} (see --help)`);
    return 2;
  }
  const { options, positional } = parsed;
  if (options.help) {
    console.log(CONVERT_HELP);
    return 0;
  }
  if (positional.length !== 2) {
    printError(`convert: needs an input and an output file, got ${positional.length} (see --help)`);
    return 2;
  }
  const net = options.net;
  if (net !== undefined && !NETS.includes(String(net))) {
    printError(`convert: --net must be pnet, rnet or onet, got ${JSON.stringify(net)}`);
    return 2;
  }
  const [input, output] = positional;
  const why = await outputFileProblem(output, options.overwrite === true);
  if (why) {
    printError(`convert: ${output} ${why}`);
    return 2;
  }
  const w = await readWeightsOrCheckpoint(input, net as NetName | undefined);
  if (w._tag === "Left") {
    printError(w.left);
    return 1;
  }
  const done = await writeNetWeightsFile(output, w.right, {
    faceApiNames: options["face-api-names"] === true,
  });
  if (done._tag === "Left") {
    printError(done.left);
    return 1;
  }
  console.error(`convert: wrote ${w.right.net} weights to ${output}`);
  return 0;
};
