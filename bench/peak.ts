// The bench children's peak resident memory, in KiB: VmHWM of /proc/self/status, not getrusage's
// maxRSS, which Linux carries over fork and exec (a child of a parent that has grown would start
// at the parent's peak).
import { readFileSync } from "node:fs";

export const peakKiB = (): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]);
