/**
 * Bench helpers: command-line values, the image folder a bench runs on, and this process's CPU
 * time.
 */
import process from "node:process";
import { sharedData } from "../tests/_shared.ts";

/** The value after `--name` on the command line, if given. */
export const flagValue = (name: string): string | undefined => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
};

/** The first argument that is neither a flag nor a flag's value, else `../shared`'s 416 images. */
export const imagesDir = (): string =>
  Deno.args.find((a, i) => !a.startsWith("--") && !Deno.args[i - 1]?.startsWith("--")) ??
    sharedData("wider_val_416/images");

/** CPU milliseconds (user + system) this process has used, all threads. */
export const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
