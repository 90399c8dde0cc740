/**
 * Runs web/build.ts in a subprocess with the build-only lockfile (scripts/deno.lock), so that
 * esbuild never enters the project's deno.lock (see tests/_build_tools.ts).
 */
const root = new URL("../", import.meta.url);

const runBuild = async (args: readonly string[], stdin?: string): Promise<string> => {
  const child = new Deno.Command(Deno.execPath(), {
    // --node-modules-dir=none: the project's node_modules would put every package of deno.json
    // into scripts/deno.lock (see tests/_build_tools.ts).
    args: [
      "run",
      "--lock=scripts/deno.lock",
      "--node-modules-dir=none",
      "-A",
      "web/build.ts",
      ...args,
    ],
    cwd: root,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(`web/build.ts failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
};

/** Builds the demo page into `dir`. */
export const buildWebInto = async (dir: string): Promise<void> => {
  await runBuild(["--out", dir]);
};

/** What web/build.ts reports for a browser bundle of `entries` (or of `code`). */
export interface CheckReport {
  readonly errors: readonly string[];
  readonly denoApis: readonly string[];
  readonly bytes: number;
}

/** Bundles entry points (paths from the root) or a piece of code for the browser, unwritten. */
export const checkBrowserBundle = async (
  input: { entries: readonly string[] } | { code: string },
): Promise<CheckReport> =>
  JSON.parse(
    "entries" in input
      ? await runBuild(["--check", ...input.entries])
      : await runBuild(["--check", "-"], input.code),
  );
