/**
 * `web`: serves the demo page, its bundle and wasm files (`out/web/`, built by
 * `deno task build:web`) and an image folder under `/images/`, on 127.0.0.1.
 *
 * ```sh
 * deno task web [--port 8000] [--images fixtures/faces]
 * ```
 *
 * @module
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createWebHandler } from "../web/server.ts";
import { parseArgs } from "./args.ts";

const HELP = `Usage: deno task web [--port N] [--images DIR] [--host ADDR] [--site DIR]

Serves the in-browser demo (out/web/, built by deno task build:web) and the images of DIR
under /images/ (default fixtures/faces/). Open http://127.0.0.1:8000/ or
http://127.0.0.1:8000/?image=/images/ivan.jpg to detect on load.

Options:
  --port N       port (default 8000; 0 picks a free one)
  --images DIR   folder served under /images/ (default fixtures/faces/)
  --host ADDR    address to listen on (default 127.0.0.1)
  --site DIR     the built page (default out/web/)`;

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** One error line on stderr, as the other commands print them (this command loads no library). */
const printError = (message: string): void => console.error(`error: ${message}`);

/** Runs the command with `args`; serves until the process is stopped. Returns the exit code. */
export const run = async (args: string[]): Promise<number> => {
  const parsed = parseArgs(args, { values: ["port", "images", "host", "site"], flags: ["help"] });
  if (typeof parsed === "string") {
    printError(`${parsed} (see --help)`);
    return 2;
  }
  if (parsed.options.help) {
    console.log(HELP);
    return 0;
  }
  if (parsed.positional.length > 0) {
    printError(`unexpected argument ${parsed.positional[0]} (see --help)`);
    return 2;
  }
  const port = Number(parsed.options.port ?? "8000");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    printError(`--port must be an integer from 0 to 65535, got ${parsed.options.port}`);
    return 2;
  }
  const images = resolve(String(parsed.options.images ?? join(ROOT, "fixtures", "faces")));
  const site = resolve(String(parsed.options.site ?? join(ROOT, "out", "web")));
  for (
    const [what, dir, fix] of [
      ["--images", images, "give an existing folder"],
      ["the page", site, "run deno task build:web first"],
    ]
  ) {
    if (!(await Deno.stat(dir).catch(() => undefined))?.isDirectory) {
      printError(`${what}: ${dir} is not a folder (${fix})`);
      return 2;
    }
  }
  const hostname = String(parsed.options.host ?? "127.0.0.1");
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname,
      port,
      onListen: (a) => console.log(`serving http://${a.hostname}:${a.port}/ (images: ${images})`),
    }, createWebHandler({ site, images }));
  } catch (e) {
    const why = e instanceof Deno.errors.AddrInUse
      ? "the port is in use (try --port N)"
      : e instanceof Error
      ? e.message
      : String(e);
    printError(`cannot listen on ${hostname}:${port}: ${why}`);
    return 1;
  }
  await server.finished;
  return 0;
};

if (import.meta.main) Deno.exit(await run(Deno.args));
