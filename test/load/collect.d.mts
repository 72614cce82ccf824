// Types of test/load/collect.mjs for the TypeScript tests that import it.
export interface LoadOptions {
  seconds?: number;
  clients?: number;
  visitors?: number;
  maxEvents?: number;
  limits?: { apiBody?: number; collectBody?: number; eventsPerMinute?: number; batch?: number };
  dataDir?: string;
  timeout?: number;
  seed?: number;
  beforeCheck?: (logFile: string) => unknown;
}
export interface LoadResult {
  seconds: number;
  clients: number;
  visitors: number;
  batches: number;
  sent: number;
  accepted: number;
  duplicates: number;
  resent: number;
  mixed: number;
  repeated: number;
  acknowledged: number;
  logged: number;
  lost: number;
  duplicated: number;
  statuses: Record<string, number>;
  eventsPerSecond: number;
  batchesPerSecond: number;
  perSecond: { median: number; min: number; max: number } | null;
  latencyMs: { median: number; p99: number; max: number };
  limits: LoadOptions['limits'] | null;
  machine: { nproc: number; model: string; loadavgBefore: number[]; loadavgAfter: number[]; node: string; tmpdir: string };
  problems: string[];
}
export function runLoad(options?: LoadOptions): Promise<LoadResult>;
