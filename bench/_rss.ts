/** Peak resident memory of this process in MB (Linux's VmHWM), or NaN elsewhere. */
export const peakRssMb = (): number => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};
