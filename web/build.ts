/**
 * Builds the browser bundle of the library and the demo page into `out/web/` (git-ignored):
 * `app.js` (the page), `worker.js` (the detector, with the embedded weights), a chunk for the
 * WebGPU backend fetched only when asked for, tfjs's `.wasm` files beside them, and the page.
 *
 * The library's Deno edges are swapped for their browser versions here, and only here:
 * `pipelines/edge/{decode,files,backend}.ts` -> `pipelines/edge/browser/*.ts`, and `imagescript`
 * -> `pipelines/edge/browser/imagescript.ts`; `pipelines/edge/load_image.ts` is portable and
 * stays. Any other Deno edge or `node:` import that would reach the bundle fails the build.
 * Bare specifiers follow deno.json's import map, as in Deno.
 *
 * esbuild is a build-only package: run this with `--lock=scripts/deno.lock` (the tasks do), so
 * that it stays out of the project's deno.lock. The library's npm packages are deno.lock's,
 * installed into `node_modules/` by `deno install`; the output holds no timestamps.
 *
 *   deno task build:web                        # out/web/
 *   deno run --lock=scripts/deno.lock --node-modules-dir=none -A web/build.ts [--out DIR] [--no-minify]
 *   deno run --lock=scripts/deno.lock --node-modules-dir=none -A web/build.ts --check ENTRY...   # bundle, report, no output
 *
 * @module
 */
// A build-only package, locked in scripts/deno.lock (see the module doc).
// deno-lint-ignore no-import-prefix
import * as esbuild from "npm:esbuild@0.28.2";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root folder. */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The default output folder. */
export const OUT_DIR: string = join(ROOT, "out", "web");

const EDGE = join(ROOT, "pipelines", "edge");
const BROWSER_EDGE = join(EDGE, "browser");
/** Deno edges with a browser version of the same exports. */
const SWAPPED = new Set(["decode.ts", "files.ts", "backend.ts"]);
/** Modules in the edge folder that use no runtime API themselves (only swapped edges). */
const PORTABLE = new Set(["load_image.ts", "load_encoded.ts"]);
/** Import map targets replaced for the bundle: the ES module build of the same version. */
const ES_BUILDS: Readonly<Record<string, string>> = { "fp-ts/lib/": "fp-ts/es6/" };

/** deno.json's import map as bundle paths: `./x` stays a file, `npm:name@1/sub` -> `name/sub`. */
const importMap = (): Map<string, string> => {
  const map = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json"))).imports ?? {};
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(map as Record<string, string>)) {
    let target = value.startsWith("./")
      ? join(ROOT, value)
      : value.replace(/^npm:\/?((?:@[^/]+\/)?[^@/]+)(?:@[^/]*)?/, "$1");
    for (const [from, to] of Object.entries(ES_BUILDS)) {
      if (target.startsWith(from)) target = to + target.slice(from.length);
    }
    out.set(key, target);
  }
  return out;
};

/** The esbuild plugin that swaps the Deno edges for the browser's (see the module doc). */
export const browserEdges: esbuild.Plugin = {
  name: "browser-edges",
  setup(build) {
    const map = importMap();
    build.onResolve({ filter: /^imagescript$/ }, () => ({
      path: join(BROWSER_EDGE, "imagescript.ts"),
    }));
    build.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `${args.path} (imported by ${args.importer}) must not reach the browser` }],
    }));
    // Bare specifiers of our own modules go through deno.json's map; npm packages resolve theirs.
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === "mapped" || args.importer.includes("/node_modules/")) return;
      let target: string | undefined = map.get(args.path);
      if (target === undefined) {
        const prefix = [...map.keys()].find((k) => k.endsWith("/") && args.path.startsWith(k));
        if (prefix) target = map.get(prefix)! + args.path.slice(prefix.length);
      }
      if (target === undefined) return;
      if (target.startsWith("/")) return { path: target };
      const r = await build.resolve(target, {
        kind: args.kind,
        resolveDir: ROOT,
        pluginData: "mapped",
      });
      return r.errors.length ? { errors: r.errors } : { path: r.path };
    });
    build.onResolve({ filter: /^\.\.?\/.*\.ts$/ }, (args) => {
      const path = resolve(args.resolveDir, args.path);
      if (!path.startsWith(EDGE + sep) || path.startsWith(BROWSER_EDGE + sep)) return undefined;
      const name = relative(EDGE, path);
      if (SWAPPED.has(name)) return { path: join(BROWSER_EDGE, name) };
      if (PORTABLE.has(name)) return undefined;
      return {
        errors: [{
          text: `the Deno edge ${name} (imported by ${args.importer}) has no browser version`,
        }],
      };
    });
  },
};

/**
 * Makes sure `node_modules/` holds deno.lock's packages for the bundle's entry points (esbuild
 * resolves packages the Node way); fast when they are there.
 */
export const installPackages = async (): Promise<void> => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--node-modules-dir=auto", "--entrypoint", "web/worker.ts", "web/app.ts"],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!r.success) {
    throw new Error(`deno install failed: ${new TextDecoder().decode(r.stderr).trim()}`);
  }
};

/** What a build produced: file name -> bytes. */
export type BuildFiles = Readonly<Record<string, number>>;

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

/** What `--check` reports for a bundle of `entries` (or of the code `stdin`). */
export interface CheckReport {
  /** esbuild's errors (e.g. a Deno edge with no browser version). */
  readonly errors: readonly string[];
  /** `Deno.*` uses in the bundle. */
  readonly denoApis: readonly string[];
  /** Bytes of the bundle. */
  readonly bytes: number;
}

/** Bundles `entries` (paths relative to the root, or `-` for code on stdin) without writing. */
export const checkBundle = async (entries: readonly string[]): Promise<CheckReport> => {
  await installPackages();
  const stdin = entries[0] === "-"
    ? {
      contents: await new Response(Deno.stdin.readable).text(),
      resolveDir: ROOT,
      loader: "ts" as const,
    }
    : undefined;
  try {
    const r = await esbuild.build({
      absWorkingDir: ROOT,
      ...(stdin ? { stdin } : { entryPoints: [...entries], outdir: "out/check" }),
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      logLevel: "silent",
      plugins: [browserEdges],
    }) as esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
    const text = r.outputFiles.map((f) => f.text).join("\n");
    return {
      errors: [],
      denoApis: [...new Set(text.match(/\bDeno\.[a-zA-Z]+/g) ?? [])],
      bytes: text.length,
    };
  } catch (e) {
    const errors = (e as { errors?: { text: string }[] }).errors?.map((x) => x.text);
    return { errors: errors ?? [String(e)], denoApis: [], bytes: 0 };
  } finally {
    await esbuild.stop();
  }
};

if (import.meta.main) {
  const args = Deno.args;
  try {
    if (args[0] === "--check") {
      console.log(JSON.stringify(await checkBundle(args.slice(1))));
    } else {
      const i = args.indexOf("--out");
      const out = i >= 0 ? resolve(args[i + 1]) : OUT_DIR;
      const files = await buildWeb(out, { minify: !args.includes("--no-minify") });
      for (const [name, size] of Object.entries(files)) console.log(`${size}\t${name}`);
    }
  } catch (e) {
    console.error(`build:web: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
