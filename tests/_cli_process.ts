/**
 * Test helper: the command line in a process of its own, as a user runs it.
 */

const CLI = new URL("../cli.ts", import.meta.url).pathname;

/** Runs `deno run -A cli.ts ...args`; its exit code, stdout and stderr. */
export const runCli = async (
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
};
