/**
 * Test helper: runs a command's exported `run(args)` in this process with `console.error`,
 * `console.log` and `console.warn` captured (so a test can count stderr lines).
 */

/** What a command printed and returned. */
export interface Captured {
  /** The exit code `run` returned (or -1 if it threw). */
  readonly code: number;
  /** Lines written with console.error / console.warn. */
  readonly stderr: string[];
  /** Lines written with console.log or Deno.stdout.write. */
  readonly stdout: string[];
  /** What `run` threw, if it did (a bug: commands return codes). */
  readonly thrown?: unknown;
}

/** Calls `run(args)` with the console captured. */
export const capture = async (
  run: (args: string[]) => Promise<number>,
  args: string[],
): Promise<Captured> => {
  const stderr: string[] = [];
  const stdout: string[] = [];
  const saved = { error: console.error, warn: console.warn, log: console.log };
  const lines = (to: string[]) => (...a: unknown[]) => {
    to.push(...a.map((x) => (typeof x === "string" ? x : Deno.inspect(x))).join(" ").split("\n"));
  };
  console.error = lines(stderr);
  console.warn = lines(stderr);
  console.log = lines(stdout);
  // detect writes its NDJSON with Deno.stdout.write.
  const write = Deno.stdout.write;
  const dec = new TextDecoder();
  Deno.stdout.write = (b: Uint8Array): Promise<number> => {
    stdout.push(...dec.decode(b).replace(/\n$/, "").split("\n"));
    return Promise.resolve(b.length);
  };
  try {
    return { code: await run(args), stderr, stdout };
  } catch (e) {
    return { code: -1, stderr, stdout, thrown: e };
  } finally {
    Object.assign(console, saved);
    Deno.stdout.write = write;
  }
};
