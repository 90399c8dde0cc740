/**
 * Messages between the demo page and its detection worker.
 *
 * @module
 */
import type { Face } from "../lib/face.ts";
import type { VideoFrameLike } from "../pipelines/edge/browser/decode.ts";

/** The tfjs backends the page can ask for. */
export type WebBackend = "wasm" | "webgpu" | "cpu";

/** Page -> worker. */
export type Request =
  | { readonly type: "init"; readonly backend: WebBackend }
  | { readonly type: "url"; readonly id: number; readonly url: string; readonly crops: boolean }
  | {
    readonly type: "bytes";
    readonly id: number;
    readonly name: string;
    readonly bytes: ArrayBuffer;
    readonly crops: boolean;
  }
  | {
    readonly type: "frame";
    readonly id: number;
    /** A WebCodecs VideoFrame where the browser has them, an ImageBitmap otherwise. */
    readonly frame: VideoFrameLike | ImageBitmap;
    readonly crops: boolean;
  };

/** One line of `deno task detect`. */
export interface DetectLine {
  readonly image: string;
  readonly width: number;
  readonly height: number;
  readonly faces: readonly Face[];
}

/** An RGBA picture (an aligned crop). */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/** Worker -> page. */
export type Reply =
  | {
    readonly type: "ready";
    readonly backend: string;
    readonly simd: boolean;
    readonly kernels: { readonly fma: boolean } | undefined;
    readonly ms: number;
  }
  | {
    readonly type: "result";
    readonly id: number;
    readonly line: DetectLine;
    readonly timings: Readonly<Record<string, number>>;
    /** Milliseconds of the cascade alone (decoding excluded). */
    readonly detectMs: number;
    /** Milliseconds from the request to the answer, decoding and crops included. */
    readonly ms: number;
    readonly crops: readonly Rgba[];
    /** For a camera frame: its pixels, to show exactly the frame the faces belong to. */
    readonly frame?: Rgba;
    readonly numTensors: number;
    readonly numBytes: number;
    readonly wasmBytes: number;
  }
  | { readonly type: "error"; readonly id: number; readonly message: string };
