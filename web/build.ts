/**
 * Builds the browser bundle of the library and the demo page into `out/web/` (git-ignored):
 * `app.js` (the page), `worker.js` (the detector, with the embedded weights), a chunk for the
 * WebGPU backend fetched only when asked for, tfjs's `.wasm` files beside them, and the page.
 *
 * The library's Deno edges are swapped for their browser versions here, and only here:
 * `pipelines/edge/{decode,files,backend}.ts` -> `pipelines/edge/browser/*.ts`, and `imagescript`
 * -> `pipelines/edge/browser/imagescript.ts`. A `node:` import or any other Deno edge that
 * reaches the bundle fails the build, so no runtime import slips into the browser.
 *
 * Reproducible: esbuild's version is pinned in deno.json, the npm packages are deno.lock's
 * (installed into `node_modules/` by `deno install`), and the output holds no timestamps.
 * Run: `deno task build:web` (`deno run -A web/build.ts [--out DIR] [--no-minify]`).
 *
 * @module
 */
import * as esbuild from "esbuild";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root folder. */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The default output folder. */
export const OUT_DIR: string = join(ROOT, "out", "web");

const EDGE = join(ROOT, "pipelines", "edge");
const BROWSER_EDGE = join(EDGE, "browser");
/** Deno edges with a browser version of the same exports. */
const SWAPPED = new Set(["decode.ts", "files.ts", "backend.ts"]);

/** deno.json's import map entries that end in `/`, as esbuild cannot read deno.json. */
const PREFIXES: Readonly<Record<string, string>> = {
  "fp-ts/": "fp-ts/es6/", // the ES module build of the same version: tree-shaken
};

/** The esbuild plugin that swaps the Deno edges for the browser's (see the module doc). */
export const browserEdges: esbuild.Plugin = {
  name: "browser-edges",
  setup(build) {
    build.onResolve({ filter: /^imagescript$/ }, () => ({
      path: join(BROWSER_EDGE, "imagescript.ts"),
    }));
    build.onResolve({ filter: /^fp-ts\// }, (args) => ({
      path: join(ROOT, "node_modules", PREFIXES["fp-ts/"] + args.path.slice("fp-ts/".length)),
    }));
    build.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `${args.path} (imported by ${args.importer}) must not reach the browser` }],
    }));
    build.onResolve({ filter: /^\.\.?\/.*\.ts$/ }, (args) => {
      const path = resolve(args.resolveDir, args.path);
      if (dirname(path) !== EDGE) return undefined;
      const name = basename(path);
      if (SWAPPED.has(name)) return { path: join(BROWSER_EDGE, name) };
      return {
        errors: [{
          text: `the Deno edge ${name} (imported by ${args.importer}) has no browser version`,
        }],
      };
    });
  },
};

/** What a build produced: file name -> bytes. */
export type BuildFiles = Readonly<Record<string, number>>;

/**
 * Makes sure `node_modules/` holds deno.lock's packages for the bundle's entry points (esbuild
 * resolves packages the Node way); fast when they are there.
 */
export const installPackages = async (): Promise<void> => {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "install",
      "--node-modules-dir=auto",
      "--entrypoint",
      "web/worker.ts",
      "web/app.ts",
      "web/build.ts",
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  });
  const r = await cmd.output();
  if (!r.success) {
    throw new Error(`deno install failed: ${new TextDecoder().decode(r.stderr).trim()}`);
  }
};

/** Builds the page into `outDir` (emptied first) and returns the sizes of its files. */
export const buildWeb = async (
  outDir: string = OUT_DIR,
  options: { minify?: boolean } = {},
): Promise<BuildFiles> => {
  await installPackages();
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(outDir, { recursive: true });
  try {
    await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: { app: "web/app.ts", worker: "web/worker.ts" },
      outdir: outDir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: "chrome110",
      minify: options.minify ?? true,
      legalComments: "external",
      chunkNames: "chunk-[hash]",
      logLevel: "silent",
      plugins: [browserEdges],
    });
  } finally {
    await esbuild.stop();
  }
  const wasmDir = join(ROOT, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
  for (const f of Deno.readDirSync(wasmDir)) {
    if (f.name.endsWith(".wasm")) await Deno.copyFile(join(wasmDir, f.name), join(outDir, f.name));
  }
  for (const f of ["index.html", "style.css"]) {
    await Deno.copyFile(join(ROOT, "web", f), join(outDir, f));
  }
  const sizes: Record<string, number> = {};
  for (const f of [...Deno.readDirSync(outDir)].sort((a, b) => a.name.localeCompare(b.name))) {
    sizes[f.name] = Deno.statSync(join(outDir, f.name)).size;
  }
  return sizes;
};

if (import.meta.main) {
  const i = Deno.args.indexOf("--out");
  const out = i >= 0 ? resolve(Deno.args[i + 1]) : OUT_DIR;
  try {
    const files = await buildWeb(out, { minify: !Deno.args.includes("--no-minify") });
    for (const [name, size] of Object.entries(files)) console.log(`${size}\t${name}`);
  } catch (e) {
    console.error(`build:web: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
