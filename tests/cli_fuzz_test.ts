/**
 * CLI fuzz: seeded random flag / value combinations for every command, run in this process
 * through each command's `run(args)`. Each must return 0, 1 or 2, never throw, never print a
 * stack trace, and print at most two lines on stderr (besides detect's one line per failed
 * input). `CLI_FUZZ_N` (runs per command, default
 * 200) and `CLI_FUZZ_SEED` (default 17) change the run.
 */
import { join } from "node:path";
import { assert } from "./_assert.ts";
import { capture } from "./_cli_capture.ts";
import { makePrng } from "../lib/train/prng.ts";
import { main } from "../cli.ts";
import { CONVERT_HELP, run as convert } from "../cli/convert.ts";
import { DATASET_HELP, run as dataset } from "../cli/dataset.ts";
import { DETECT_HELP, run as detect } from "../cli/detect.ts";
import { run as evalCmd } from "../cli/eval.ts";
import { EVAL_LANDMARKS_HELP } from "../cli/eval_landmarks.ts";
import { EVAL_WIDER_HELP } from "../cli/eval_wider.ts";
import { run as train, TRAIN_HELP } from "../cli/train.ts";
import { TRAIN_EVALUATE_HELP } from "../cli/train_evaluate.ts";

const N = Number(Deno.env.get("CLI_FUZZ_N") ?? 200);
const SEED = Number(Deno.env.get("CLI_FUZZ_SEED") ?? 17);

/** The flags a help text lists. */
const flagsOf = (help: string): string[] => [...new Set(help.match(/--[a-z][a-z0-9-]*/g) ?? [])];

const dir = await Deno.makeTempDir({ prefix: "mtcnn_cli_fuzz_" });
const note = join(dir, "note.jpg");
await Deno.writeTextFile(note, "not an image");
const text = join(dir, "list.txt");
await Deno.writeTextFile(text, "a.jpg 1 2 3 4\nb.jpg nonsense\n");
const json = join(dir, "list.json");
await Deno.writeTextFile(
  json,
  '{"format": "mtcnn-annotations", "version": 1, "images": [{"path": "x.jpg"}]}',
);
const empty = join(dir, "empty");
await Deno.mkdir(empty);

/** Values: numbers of every kind, strings, enum words of the commands, paths. */
const VALUES: readonly string[] = [
  "",
  " ",
  "-1",
  "0",
  "1",
  "2",
  "3",
  "0.5",
  "1.5",
  "-0.5",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "99999999999999999999",
  "65",
  "abc",
  "0.6,0.7,0.7",
  "1,2",
  "1,2,3,4,5,6",
  ",,",
  "pnet",
  "rnet",
  "onet",
  "wasm",
  "cpu",
  "auto",
  "webgpu",
  "xyxy",
  "xywh",
  "default",
  "accurate",
  "zeros",
  "clamp",
  "json",
  "ndjson",
  "mtfl",
  "wider",
  "cnn_facepoint",
  "mse",
  "smoothL1",
  "cosine",
  "step",
  "random",
  "random:x",
  "--",
  "-",
  "-x",
  "=",
  "\u0000",
  "é",
  note,
  text,
  json,
  empty,
  dir,
  join(dir, "missing.jpg"),
  join(dir, "missing", "deeper"),
  join(note, "below"),
  join(dir, "out"),
  join(dir, "out.svg"),
  join(dir, "out.lz4"),
  join(dir, "out.json"),
];

interface Command {
  readonly name: string;
  readonly run: (args: string[]) => Promise<number>;
  readonly flags: readonly string[];
  /** Leading words (subcommands) chosen from, "" for none. */
  readonly heads: readonly string[];
  /** The most positional arguments to give (detect prints one line per failed input). */
  readonly maxPositional: number;
  /** Plausible starts (half the runs begin with one), so that runs get past the parser. */
  readonly bases: readonly (readonly string[])[];
}

const COMMANDS: readonly Command[] = [
  {
    name: "detect",
    run: detect,
    flags: flagsOf(DETECT_HELP),
    heads: [""],
    maxPositional: 2,
    bases: [[note], [note, join(dir, "missing.jpg")], [empty]],
  },
  {
    name: "convert",
    run: convert,
    flags: flagsOf(CONVERT_HELP),
    heads: [""],
    maxPositional: 3,
    bases: [[note, join(dir, "out.lz4")], [empty, join(dir, "out.json")]],
  },
  {
    name: "eval",
    run: evalCmd,
    flags: [...flagsOf(EVAL_WIDER_HELP), ...flagsOf(EVAL_LANDMARKS_HELP)],
    heads: ["wider", "landmarks", "", "nope"],
    maxPositional: 1,
    bases: [["--gt", text, "--images", empty], ["--list", text, "--images", empty]],
  },
  {
    name: "dataset",
    run: dataset,
    flags: flagsOf(DATASET_HELP),
    heads: [""],
    maxPositional: 1,
    bases: [
      ["--net", "pnet", "--list", json, "--format", "json", "--out", join(dir, "set")],
      ["--net", "rnet", "--list", text, "--out", join(dir, "set2")],
    ],
  },
  {
    name: "train",
    run: train,
    flags: [...flagsOf(TRAIN_HELP), ...flagsOf(TRAIN_EVALUATE_HELP)],
    heads: ["", "evaluate"],
    maxPositional: 1,
    bases: [["--net", "pnet", "--data", empty, "--out", join(dir, "run")], ["--list", text]],
  },
  {
    name: "mtcnn",
    run: main,
    flags: ["--help", "--version"],
    heads: ["", "detect", "convert", "eval", "dataset", "train", "nope"],
    maxPositional: 1,
    bases: [[]],
  },
];

/** Worker counts that start threads (slow, and tested elsewhere) become 0. */
const slowWorkers = (flag: string, value: string) =>
  flag === "--workers" && Number.isInteger(Number(value)) && Number(value) > 0 &&
  Number(value) <= 64;

/** --verbose asks for stack traces: left out. */
const fuzzed = (flags: readonly string[]) => flags.filter((f) => f !== "--verbose");

const randomArgs = (c: Command, r: ReturnType<typeof makePrng>): string[] => {
  const pick = <T>(xs: readonly T[]): T => xs[r.int(0, xs.length - 1)];
  const args: string[] = [];
  const head = pick(c.heads);
  if (head) args.push(head);
  const based = r.next() < 0.5;
  if (based) args.push(...pick(c.bases));
  const nFlags = r.int(0, 5);
  for (let k = 0; k < nFlags; k++) {
    const roll = r.next();
    const flag = roll < 0.8
      ? pick(fuzzed(c.flags))
      : roll < 0.9
      ? `--${pick(["nope", "no-nope", "h", "x-y"])}`
      : pick(["-h", "-v", "-"]);
    if (flag === "--help" || flag === "-h") continue; // help is tested apart; keep runs deep
    let value = pick(VALUES);
    if (slowWorkers(flag, value)) value = "0";
    const form = r.next();
    if (form < 0.15) args.push(flag); // no value: a flag, or a missing value
    else if (form < 0.3) args.push(`${flag}=${value}`);
    else args.push(flag, value);
  }
  // Detect starts net workers for several inputs unless told not to.
  if (c.name === "detect" && !args.some((a) => a.startsWith("--workers"))) args.push("--workers=0");
  // detect prints one line per failed input: at most two inputs in all.
  const nPos = c.name === "detect" && based ? 0 : r.int(0, c.maxPositional);
  for (let k = 0; k < nPos; k++) {
    args.push(pick([note, join(dir, "missing.jpg"), empty, "", text, json]));
  }
  return args;
};

const STACK = /^\s+at |Stack backtrace|^\s*error: Uncaught|TypeError|RangeError|ReferenceError/;

for (const c of COMMANDS) {
  Deno.test(`CLI fuzz: ${N} random invocations of ${c.name}: exit 0/1/2, no stack trace, <= 2 stderr lines`, async () => {
    const r = makePrng(SEED ^ c.name.length * 7919);
    const codes = [0, 0, 0];
    // Random values name output files ("--out 2"): they go to the temporary folder, not here.
    const cwd = Deno.cwd();
    Deno.chdir(dir);
    try {
      await fuzz(c, r, codes);
    } finally {
      Deno.chdir(cwd);
    }
    if (Deno.env.get("CLI_FUZZ_STATS")) console.warn(c.name, codes);
    // Not a vacuous run: most invocations are refused, some get past the parser.
    assert(codes[2] > 0, `exit codes ${codes}`);
  });
}

/** N random invocations of one command, counting exit codes. */
async function fuzz(c: Command, r: ReturnType<typeof makePrng>, codes: number[]): Promise<void> {
  for (let i = 0; i < N; i++) {
    const args = randomArgs(c, r);
    const out = await capture(c.run, args);
    const shown = `${c.name} ${JSON.stringify(args)}`;
    assert(out.thrown === undefined, `${shown} threw: ${out.thrown}`);
    assert([0, 1, 2].includes(out.code), `${shown} exited ${out.code}\n${out.stderr.join("\n")}`);
    const trace = out.stderr.find((l) => STACK.test(l));
    assert(trace === undefined, `${shown} printed a stack trace: ${trace}`);
    // detect reports each failed input on a line of its own ("error: <input>: why"), by
    // design; every other message is at most two lines.
    const other = out.stderr.filter((l) =>
      !args.some((a) => a !== "" && l.startsWith(`error: ${a}: `))
    );
    assert(
      other.length <= 2,
      `${shown} printed ${out.stderr.length} lines:\n${out.stderr.join("\n")}`,
    );
    codes[out.code]++;
  }
}

Deno.test("CLI fuzz: clean up", async () => {
  await Deno.remove(dir, { recursive: true });
});
