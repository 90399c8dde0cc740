/**
 * Test helpers: a private `redis-server` (Debian's) on a free loopback port with its own
 * temporary folder, and CLI processes whose output is read while they run.
 */

/** True when `redis-server` is on the PATH (`.ci/run` installs it). */
export const HAS_REDIS: boolean = (() => {
  try {
    return new Deno.Command("redis-server", { args: ["--version"], stdout: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

/** Prints once, per test file, why Redis tests are skipped. */
export const noteRedisSkip = (file: string): void => {
  if (!HAS_REDIS) {
    console.warn(`${file}: redis-server is not installed (apt-get install redis-server): skipped`);
  }
};

/** A free loopback port (the OS picks one, we release it). */
export const freePort = (): number => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
};

/** A running private Redis. */
export interface RedisServer {
  /** Its port. */
  readonly port: number;
  /** redis://127.0.0.1:port */
  readonly url: string;
  /** Stops it with SIGTERM (a clean shutdown: the append-only file is flushed). */
  stop(): Promise<void>;
}

const canConnect = async (port: number): Promise<boolean> => {
  try {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.close();
    return true;
  } catch {
    return false;
  }
};

/** Starts `redis-server` on `port` with its data in `dir`, and waits until it answers. */
export const startRedis = async (
  port: number,
  dir: string,
  appendOnly = false,
): Promise<RedisServer> => {
  const p = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      appendOnly ? "yes" : "no",
      "--appendfsync",
      "always",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 200 && !(await canConnect(port)); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      try {
        p.kill("SIGTERM");
      } catch {
        // already ended
      }
      await p.status;
    },
  };
};

/** A CLI process whose stderr is collected as it runs. */
export interface CliProcess {
  /** The process. */
  readonly child: Deno.ChildProcess;
  /** Stderr so far. */
  stderr(): string;
  /** Exit code and all of stdout and stderr once it ends. */
  done(): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Kills every process still running (SIGKILL) and waits for all of them to end. */
export const killAll = async (procs: readonly CliProcess[]): Promise<void> => {
  for (const p of procs) {
    try {
      p.child.kill("SIGKILL");
    } catch {
      // ended
    }
    await p.done();
  }
};

const cli = new URL("../cli.ts", import.meta.url).pathname;

/** Starts `deno run -A cli.ts ...args`. */
export const startCli = (args: readonly string[]): CliProcess => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let err = "";
  let out = "";
  const dec = new TextDecoder();
  const read = async (s: ReadableStream<Uint8Array>, add: (t: string) => void) => {
    for await (const c of s) add(dec.decode(c, { stream: true }));
  };
  const reading = Promise.all([
    read(child.stderr, (t) => err += t),
    read(child.stdout, (t) => out += t),
  ]);
  return {
    child,
    stderr: () => err,
    done: async () => {
      const { code } = await child.status;
      await reading;
      return { code, stdout: out, stderr: err };
    },
  };
};

/** Polls `cond` every 100 ms until true; throws with `what` after `ms`. */
export const waitFor = async (
  what: string,
  cond: () => Promise<boolean> | boolean,
  ms = 30_000,
): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
