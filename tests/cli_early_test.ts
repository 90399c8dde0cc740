import { assert, assertEquals } from "./_assert.ts";
import { expectedWorkers, type PathKind, startEarlyWorkers } from "../cli/early.ts";
import { main } from "../cli.ts";
import { capture } from "./_cli_capture.ts";
import { ASTRONAUT, GROUP, IVAN } from "./_faces.ts";

/** A fake file system: names ending in "/" are folders, names with an extension files. */
const fake: PathKind = (p) => p.endsWith("/") ? "dir" : /\.[a-z]+$/.test(p) ? "file" : undefined;

Deno.test("expectedWorkers() tells detect's workers from its arguments: one per core for several images, --workers as given, none for one image, help, video or a refused count", () => {
  const at = (args: string[]) => expectedWorkers(args, fake, 2);
  assertEquals(at(["a.jpg"]), { nets: 0, loader: false });
  assertEquals(at(["a.jpg", "b.jpg"]), { nets: 2, loader: true });
  assertEquals(at(["photos/"]), { nets: 2, loader: true });
  assertEquals(at(["--list", "names.txt"]), { nets: 2, loader: true });
  assertEquals(at(["--list=-"]), { nets: 2, loader: true });
  assertEquals(at(["https://example.com/a.jpg", "b.jpg"]), { nets: 2, loader: true });
  // A value that is not a path, or a path that is not there, is not an image.
  assertEquals(at(["--min-face-size", "20", "a.jpg"]), { nets: 0, loader: false });
  assertEquals(at(["--workers", "3", "a.jpg", "b.jpg"]), { nets: 3, loader: true });
  assertEquals(at(["--workers=1", "photos/"]), { nets: 1, loader: true });
  assertEquals(at(["--workers", "2", "a.jpg"]), { nets: 2, loader: false });
  assertEquals(at(["--workers", "0", "a.jpg", "b.jpg"]), { nets: 0, loader: false });
  for (const refused of ["-1", "65", "two", "1.5"]) {
    assertEquals(at(["--workers", refused, "a.jpg", "b.jpg"]), { nets: 0, loader: false });
  }
  assertEquals(at(["--help", "a.jpg", "b.jpg"]), { nets: 0, loader: false });
  assertEquals(at(["-h"]), { nets: 0, loader: false });
  assertEquals(at(["clip.mp4", "b.jpg"]), { nets: 0, loader: false });
  assertEquals(at(["--video", "photos/"]), { nets: 0, loader: false });
  // The real file system: two photos that exist.
  assertEquals(expectedWorkers([IVAN, GROUP], undefined, 2), { nets: 2, loader: true });
  assertEquals(expectedWorkers([IVAN, "no/such.jpg"], undefined, 2), { nets: 0, loader: false });
});

Deno.test("startEarlyWorkers() starts what expectedWorkers() tells; release ends the workers not taken", () => {
  assertEquals(startEarlyWorkers(["a.jpg"], fake), undefined);
  const early = startEarlyWorkers(["--workers", "2", "a.jpg", "b.jpg"], fake);
  assert(early);
  assertEquals(early.nets.length, 2);
  const taken = early.nets.shift()!;
  const loader = early.takeLoader();
  assert(loader instanceof Worker);
  assertEquals(early.takeLoader(), undefined, "the loader is taken once");
  early.release();
  assertEquals(early.nets.length, 0, "the one left was ended");
  // Those taken are the taker's to end.
  taken.terminate();
  loader.terminate();
});

Deno.test("main() runs detect on several images with the workers it started early: the same lines as one thread, and every worker ended", async () => {
  // Every Worker made while main() runs is counted until terminated.
  const live = new Set<Worker>();
  const Plain = globalThis.Worker;
  class Counted extends Plain {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      live.add(this);
    }
    override terminate(): void {
      live.delete(this);
      super.terminate();
    }
  }
  globalThis.Worker = Counted;
  try {
    const images = [IVAN, ASTRONAUT, GROUP];
    const early = await capture(main, ["detect", ...images]);
    assertEquals(early.code, 0, early.stderr.join("\n"));
    assertEquals(live.size, 0, "the detector and the loader ended theirs");
    const alone = await capture(main, ["detect", "--workers", "0", ...images]);
    assertEquals(alone.code, 0, alone.stderr.join("\n"));
    const lines = early.stdout.filter((l) => l.startsWith("{"));
    assertEquals(lines.length, 3);
    assertEquals(lines, alone.stdout.filter((l) => l.startsWith("{")));
    // A run refused before it starts ends the workers started for it.
    const refused = await capture(main, ["detect", "--bogus", ...images]);
    assertEquals(refused.code, 2);
    assertEquals(live.size, 0, "the workers of a refused run were ended");
  } finally {
    globalThis.Worker = Plain;
  }
});
