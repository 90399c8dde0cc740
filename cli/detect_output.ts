/**
 * `detect`'s records and where they go: one NDJSON line per image, on stdout, or appended to an
 * `--output` file that a killed run resumes (`--resume`). Failed images become error records
 * in the file, `{"image", "error": {"tag", "message"}}`; `queue results` writes the same.
 *
 * @module
 */
import type { MtcnnError } from "../lib/errors.ts";
import type { Face } from "../lib/face.ts";
import { openNdjsonOutput } from "../pipelines/edge/ndjson_output.ts";

/** The line of an image whose faces were found. */
export interface FacesRecord {
  /** The path or URL as given. */
  readonly image: string;
  /** Displayed width in pixels. */
  readonly width: number;
  /** Displayed height in pixels. */
  readonly height: number;
  /** The faces, most confident first. */
  readonly faces: readonly Face[];
}

/** The line of an image that failed. */
export interface ErrorRecord {
  /** The path or URL as given. */
  readonly image: string;
  /** The typed error. */
  readonly error: { readonly tag: string; readonly message: string };
}

/** One line of detect's NDJSON. */
export type DetectRecord = FacesRecord | ErrorRecord;

/** The error record of `image`. */
export const errorRecord = (image: string, e: MtcnnError): ErrorRecord => ({
  image,
  error: { tag: e._tag, message: e.message },
});

/** Where detect's records go. */
export interface RecordSink {
  /** True when the image is done already (resumed file, or earlier in this run). */
  has(image: string): boolean;
  /** Writes one record (error records only when the sink keeps them: files). */
  write(record: DetectRecord): Promise<void>;
  /** Images skipped as done when opened. */
  readonly resumed: number;
  /** Bytes of a partial last line cut off when opened. */
  readonly repairedBytes: number;
  /** Flushes and closes. */
  close(): Promise<void>;
}

const enc = new TextEncoder();

/** Stdout: faces records only (errors go to stderr), nothing skipped. */
export const stdoutSink = (): RecordSink => ({
  has: () => false,
  write: async (r) => {
    if ("error" in r) return;
    const bytes = enc.encode(JSON.stringify(r) + "\n");
    for (let off = 0; off < bytes.length;) off += await Deno.stdout.write(bytes.subarray(off));
  },
  resumed: 0,
  repairedBytes: 0,
  close: () => Promise.resolve(),
});

/** A results file; an error message when it cannot be used. */
export const fileSink = async (path: string, resume: boolean): Promise<RecordSink | MtcnnError> => {
  const out = await openNdjsonOutput(path, resume);
  if (out._tag === "Left") return out.left;
  const o = out.right;
  return {
    has: (image) => o.has(image),
    write: (r) => o.append(r),
    resumed: o.resumed,
    repairedBytes: o.repairedBytes,
    close: () => o.close(),
  };
};
