/** One benchmark's result: our figure, the baseline's figure from the same run, and their ratio. */
export interface BenchResult {
  name: string;
  /** What is counted, e.g. "frames/s". */
  unit: string;
  ours: number;
  baselineName: string;
  baseline: number;
  /** ours / baseline. */
  ratio: number;
  /** The target, in words, e.g. "≥ 50 % of kcat". */
  goal: string;
  met: boolean;
  notes?: string;
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchResult>;
}
