/**
 * A small command-line parser: `--name value`, `--name=value`, boolean `--flag`, `--no-flag`,
 * and positional arguments; unknown options are errors.
 *
 * @module
 */

/** Parsed arguments. */
export interface ParsedArgs {
  /** Option values by name (booleans for flags). */
  readonly options: Readonly<Record<string, string | boolean>>;
  /** Positional arguments in order. */
  readonly positional: readonly string[];
}

/** What a command accepts: option names that take a value, and boolean flags. */
export interface ArgSpec {
  /** Options followed by a value. */
  readonly values: readonly string[];
  /** Boolean flags (also accepted as `--no-name`). */
  readonly flags: readonly string[];
}

/** Parses `args`; returns an error message for an unknown option or a missing value. */
export const parseArgs = (args: readonly string[], spec: ArgSpec): ParsedArgs | string => {
  const options: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith("--") || a === "-") {
      if (a.startsWith("-") && a !== "-" && a !== "-h") return `unknown option ${a}`;
      if (a === "-h") options.help = true;
      else positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (spec.flags.includes(name)) {
      if (eq >= 0) return `--${name} takes no value`;
      options[name] = true;
    } else if (name.startsWith("no-") && spec.flags.includes(name.slice(3))) {
      options[name.slice(3)] = false;
    } else if (spec.values.includes(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) return `--${name} needs a value`;
      options[name] = v;
    } else return `unknown option --${name}`;
  }
  return { options, positional };
};

/** A number option, or an error message naming it. */
export const numberOption = (
  o: Readonly<Record<string, string | boolean>>,
  name: string,
): number | undefined | string => {
  const v = o[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  return typeof v === "string" && v.trim() !== "" && Number.isFinite(n)
    ? n
    : `--${name} must be a number, got ${JSON.stringify(v)}`;
};
