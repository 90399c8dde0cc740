/**
 * Test helpers for the browser: the demo built into a temporary folder, served on a free
 * loopback port, and headless Chromium (Debian's `chromium`) driven by puppeteer-core.
 */
import { fileURLToPath } from "node:url";
import { createWebHandler } from "../web/server.ts";
import { buildWebInto } from "./_web_build.ts";

/** What the tests use of puppeteer-core's Browser and Page. */
// deno-lint-ignore no-explicit-any
type Browser = any;
// deno-lint-ignore no-explicit-any
export type Page = any;

/**
 * puppeteer-core, a test-only package: imported when a browser test runs, under
 * `--lock=scripts/deno.lock` (`deno task test:browser`), never by `deno task test`, so that it
 * stays out of the project's deno.lock. The specifier is built so that no tool preloads it.
 */
const puppeteer = async (): Promise<{ launch(o: unknown): Promise<Browser> }> =>
  (await import(["npm:puppeteer-core", "25.16.0"].join("@"))).default;

/** The project's fixture photos (free to ship). */
export const FACES_DIR: string = fileURLToPath(new URL("../fixtures/faces/", import.meta.url));

/** Debian's Chromium, or `$CHROMIUM`. */
export const CHROMIUM: string = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

const has = (name: "net" | "run" | "write"): boolean =>
  Deno.permissions.querySync({ name }).state === "granted";

/** Why the browser tests cannot run here, or undefined when they can. */
export const browserMissing = (): string | undefined => {
  if (!has("net") || !has("run") || !has("write")) {
    return "needs --allow-net (run `deno task test:browser`)";
  }
  try {
    Deno.statSync(CHROMIUM);
  } catch {
    return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set $CHROMIUM)`;
  }
  return undefined;
};

/** The flags every test browser gets: headless, offline, no first-run work, fresh profile. */
export const chromiumFlags = (profile: string, extra: readonly string[] = []): string[] => [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  `--user-data-dir=${profile}`,
  ...extra,
];

/** A started browser and the means to stop it and remove its profile. */
export interface TestBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh profile folder. */
export const launchChromium = async (extra: readonly string[] = []): Promise<TestBrowser> => {
  const profile = await Deno.makeTempDir({ prefix: "mtcnn_chromium_" });
  const browser = await (await puppeteer()).launch({
    executablePath: CHROMIUM,
    headless: true,
    args: chromiumFlags(profile, extra),
    defaultViewport: { width: 1280, height: 900 },
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
};

/** The demo built and served on a free loopback port. */
export interface DemoServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  close(): Promise<void>;
}

/** Builds the demo into a temporary folder and serves it with `images` under `/images/`. */
export const serveDemo = async (images: string = FACES_DIR): Promise<DemoServer> => {
  const site = await Deno.makeTempDir({ prefix: "mtcnn_web_" });
  await buildWebInto(site);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    createWebHandler({ site, images }),
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    close: async () => {
      await server.shutdown();
      await Deno.remove(site, { recursive: true }).catch(() => {});
    },
  };
};

/** Messages a page logged as errors, and its uncaught exceptions. */
export const collectErrors = (page: Page): string[] => {
  const errors: string[] = [];
  page.on("console", (m: { type(): string; text(): string }) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on(
    "pageerror",
    (e: unknown) => errors.push(`page: ${e instanceof Error ? e.message : String(e)}`),
  );
  return errors;
};

/** What the page wrote: `#result` or `#error` (whichever came), waiting at most `timeout` ms. */
export const pageOutcome = async (
  page: Page,
  timeout = 60_000,
): Promise<{ result: string; error: string }> => {
  await page.waitForFunction(
    `document.getElementById("result").textContent || document.getElementById("error").textContent`,
    { timeout },
  );
  return {
    result: await page.evaluate(`document.getElementById("result").textContent`),
    error: await page.evaluate(`document.getElementById("error").textContent`),
  };
};

/** Where tests save screenshots: `$MTCNN_SCREENSHOTS`, or nowhere. */
export const screenshot = async (page: Page, name: string): Promise<void> => {
  const dir = Deno.env.get("MTCNN_SCREENSHOTS");
  if (!dir) return;
  await Deno.mkdir(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}.png` as `${string}.png`, fullPage: true });
};
