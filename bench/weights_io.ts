/**
 * Read and write time of `../shared/data/mtcnn_lz4_weights/onet.lz4` (1.56 MB, 389,040
 * floats): the median over several runs after a warm-up, for the whole file operation
 * (read = file read + LZ4 + pickle + checks; write = encode + atomic write with fsync) and for
 * the in-memory decode / encode alone. Prints a Markdown table.
 *
 *   deno run --allow-read --allow-write bench/weights_io.ts [--runs N]
 */
import { fileURLToPath } from "node:url";
import { decodeNetWeights, encodeNetWeights } from "../weights.ts";
import { readNetWeightsFile, writeNetWeightsFile } from "../pipelines/edge/weights/files.ts";

const i = Deno.args.indexOf("--runs");
const runs = i >= 0 ? Number(Deno.args[i + 1]) : 21;
const path = fileURLToPath(
  new URL("../../shared/data/mtcnn_lz4_weights/onet.lz4", import.meta.url),
);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Median milliseconds of `fn` over `runs` runs after 3 warm-up runs. */
const time = async (fn: () => Promise<unknown> | unknown): Promise<number> => {
  for (let k = 0; k < 3; k++) await fn();
  const ms: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
};

const ok = <A>(r: { _tag: "Left"; left: { message: string } } | { _tag: "Right"; right: A }): A => {
  if (r._tag === "Left") throw new Error(r.left.message);
  return r.right;
};

let bytes: Uint8Array;
try {
  bytes = await Deno.readFile(path);
} catch {
  console.error(`bench/weights_io.ts: ${path} is absent (../shared is needed)`);
  Deno.exit(1);
}
const weights = ok(decodeNetWeights("onet", bytes));
const dir = await Deno.makeTempDir({ prefix: "mtcnn_bench_" });
try {
  const rows: [string, number][] = [
    [
      "read onet.lz4 (file + decode + checks)",
      await time(async () => ok(await readNetWeightsFile("onet", path))),
    ],
    [
      "decode in memory (LZ4 + pickle + checks)",
      await time(() => ok(decodeNetWeights("onet", bytes))),
    ],
    [
      "write onet.lz4 (encode + atomic write + fsync)",
      await time(async () => ok(await writeNetWeightsFile(`${dir}/onet.lz4`, weights))),
    ],
    ["encode in memory (pickle + LZ4 frame)", await time(() => ok(encodeNetWeights(weights)))],
  ];
  console.log(
    `onet.lz4: ${bytes.length} bytes; median of ${runs} runs after 3 warm-ups (Deno ${Deno.version.deno})\n`,
  );
  console.log("| operation | ms |\n|---|---|");
  for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(2)} |`);
} finally {
  await Deno.remove(dir, { recursive: true });
}
