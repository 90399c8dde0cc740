/**
 * The synthetic training batches of the training benchmarks: fixed pseudo-random pixels and
 * targets, every label kind present (3 : 1 : 1 : 2 like the PNet set).
 *
 * @module
 */
import { NET_INPUT_SIZE, type NetName } from "../lib/spec.ts";
import type { HostBatch } from "../pipelines/edge/train/shard_reader.ts";

/** Batch sizes per net (the training guide's and the PyTorch anchor's). */
export const BATCH: Readonly<Record<NetName, number>> = { pnet: 256, rnet: 128, onet: 64 };

/** A batch of `BATCH[net]` samples (or `n`). */
export const batchOf = (net: NetName, n: number = BATCH[net]): HostBatch => {
  const s = NET_INPUT_SIZE[net];
  const labels = Int8Array.from({ length: n }, (_, i) => [0, 0, 0, 1, -1, -2, -2][i % 7]);
  return {
    size: n,
    images: Float32Array.from({ length: n * s * s * 3 }, (_, i) => Math.sin(i) * 0.9),
    labels,
    box: Float32Array.from({ length: n * 4 }, (_, i) => Math.cos(i) * 0.1),
    landmarks: Float32Array.from({ length: n * 10 }, (_, i) => 0.5 + Math.sin(i) * 0.2),
  };
};
