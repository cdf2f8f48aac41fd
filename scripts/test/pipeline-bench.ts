// Shared by the pipeline benchmark's tests (embedded here, Kafka under wire/): runs the built
// benchmark CLI for a tiny bounded run and returns what it measured. The benchmark drives the
// apps' built mains, so it is run built too (scripts/dist), as `npm run bench` runs it.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PipelineRun, StepResult } from '../src/bench/pipeline-latency';

export const benchCli = path.resolve(__dirname, '../dist/bench/pipeline-latency.js');
export const benchBuilt = fs.existsSync(benchCli);

export async function runPipelineBench(args: string[], timeoutMs: number): Promise<PipelineRun> {
  const child = spawn(process.execPath, [benchCli, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`pipeline benchmark exited with ${code}:\n${err}`);
  return JSON.parse(out.trim().split('\n').pop()!) as PipelineRun;
}

/** Every frame sent reached the viewer, and the latencies are real numbers. */
export function expectEveryFrameArrived(steps: StepResult[], frames: number): void {
  expect(steps.length).toBeGreaterThan(0);
  for (const s of steps) {
    expect(s.frames).toBe(frames);
    expect(s.received).toBe(s.frames);
    for (const v of [s.p50, s.p99, s.max]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0);
    }
    expect(s.p50).toBeLessThanOrEqual(s.p99);
    expect(s.p99).toBeLessThanOrEqual(s.max);
  }
}
