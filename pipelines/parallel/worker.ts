/**
 * A net worker: its own tfjs backend and copies of the three nets' weights; runs PNet on
 * pyramid levels (reading the image's shared summed-area table) and RNet / ONet on crops.
 * The same stage functions as in-thread detection.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { receivedTable } from "../../lib/area_resample.ts";
import { describe } from "../../lib/errors.ts";
import { pnet } from "../../lib/nets/pnet.ts";
import { toTensors } from "../../lib/nets/tensors.ts";
import { useBackend } from "../edge/backend.ts";
import { cropNetRunner } from "../nets/local.ts";
import { runPNetLevel } from "../nets/pnet_levels.ts";
import type { CropNet } from "../nets/types.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

let nets:
  | {
    pnet: ReturnType<typeof pnet>;
    rnet: CropNet<"rnet">;
    onet: CropNet<"onet">;
  }
  | undefined;

const post = (m: FromWorker, transfer: Transferable[] = []) => self.postMessage(m, transfer);

// An uncaught error or rejection is told to the pool, which replaces this worker, instead of
// being printed by Deno with its stack trace (the command line prints one line per error).
const crashed = (message: string) => {
  post({ kind: "crashed", message });
  self.close();
};
self.addEventListener("error", (e) => {
  e.preventDefault();
  crashed(e.message);
});
self.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  crashed(describe(e.reason));
});

const buffersOf = (arrays: (ArrayBufferView | undefined)[]): Transferable[] =>
  arrays.filter((a): a is ArrayBufferView => a !== undefined).map((a) => a.buffer as ArrayBuffer);

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  try {
    if (m.kind === "init") {
      const b = await useBackend(m.backend);
      if (b._tag === "Left") return post({ kind: "error", message: b.left.message });
      const p = pnet(toTensors(m.weights.pnet));
      nets = {
        pnet: p,
        rnet: cropNetRunner("rnet", toTensors(m.weights.rnet)),
        onet: cropNetRunner("onet", toTensors(m.weights.onet)),
      };
      return post({ kind: "ready", backend: b.right });
    }
    if (!nets) return post({ kind: "error", id: m.id, message: "worker not initialised" });
    // A table built where it is read comes without its sums (the worker builds them).
    const sat = receivedTable(m.sat);
    if (m.kind === "pnet") {
      const candidates = [];
      for (const level of m.levels) {
        candidates.push(await runPNetLevel(nets.pnet, sat, level, m.threshold, m.nms));
      }
      const buffers = buffersOf(candidates.flatMap((c) => [c.boxes, c.scores, c.offsets]));
      return post({ kind: "levels", id: m.id, candidates }, buffers);
    }
    const heads = await nets[m.kind].run({
      size: m.size,
      count: m.count,
      rects: m.rects,
      data: m.data,
      sat,
    });
    post({ kind: "heads", id: m.id, heads }, buffersOf(Object.values(heads)));
  } catch (err) {
    post({ kind: "error", id: "id" in m ? m.id : undefined, message: describe(err) });
  }
};
