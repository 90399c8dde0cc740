import { existsSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { assert } from "./_assert.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("every relative link of README.md and docs/ points to a file published on JSR", () => {
  const config = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json")));
  const excluded: string[] = config.publish.exclude;
  const docs = [
    "README.md",
    ...[...Deno.readDirSync(join(ROOT, "docs"))].map((e) => `docs/${e.name}`),
  ]
    .filter((f) => f.endsWith(".md"));
  let links = 0;
  for (const doc of docs) {
    const text = Deno.readTextFileSync(join(ROOT, doc));
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1].split("#")[0];
      if (!target || /^[a-z]+:/.test(target)) continue;
      links++;
      const path = normalize(join(dirname(join(ROOT, doc)), target));
      const rel = relative(ROOT, path);
      assert(existsSync(path), `${doc}: link to ${target} (${rel}) is broken`);
      assert(
        !excluded.some((e) => rel === e.replace(/\/$/, "") || rel.startsWith(e)),
        `${doc}: ${target} is not published (deno.json publish.exclude), so the link dies on jsr.io`,
      );
    }
  }
  assert(links > 5, `only ${links} links found`);
});
