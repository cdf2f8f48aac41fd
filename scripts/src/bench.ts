/**
 * `npm run bench [-- name ...]`: runs each benchmark (each measures its own baseline in the same
 * run), prints a table, and writes it into docs/BENCHMARKS.md between the results markers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchmarks } from './bench/registry';
import type { BenchResult } from '@pitwall/bench';

const docPath = path.resolve(__dirname, '../../docs/BENCHMARKS.md');
const BEGIN = '<!-- bench-results -->';
const END = '<!-- /bench-results -->';

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

export function renderTable(results: BenchResult[], when: Date): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `Run ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} × ${cpu}, Node ${process.version}.`,
    '',
    '| benchmark | ours | baseline (same run) | ratio | goal | met |',
    '|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${fmt(r.ours)} ${r.unit} | ${r.baselineName}: ${fmt(r.baseline)} ${r.unit} | ${(r.ratio * 100).toFixed(0)} % | ${r.goal} | ${r.met ? 'yes' : 'no'} |`,
    ),
  ];
  const notes = results.filter((r) => r.notes).map((r) => `- ${r.name}: ${r.notes}`);
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** Replaces the results section of the doc (rows of benchmarks not run this time are kept). */
export function updateDoc(doc: string, results: BenchResult[], when: Date): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  const table = `${BEGIN}\n${renderTable(results, when)}\n${END}`;
  if (start < 0 || end < start) return `${doc.trimEnd()}\n\n${table}\n`;
  return doc.slice(0, start) + table + doc.slice(end + END.length);
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !benchmarks.some((b) => b.name === w));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}\n`);
    process.exit(2);
  }
  const selected = wanted.length ? benchmarks.filter((b) => wanted.includes(b.name)) : benchmarks;
  const results: BenchResult[] = [];
  for (const b of selected) {
    process.stdout.write(`running ${b.name} ...\n`);
    const r = await b.run();
    process.stdout.write(`  ${fmt(r.ours)} ${r.unit} vs ${r.baselineName} ${fmt(r.baseline)} ${r.unit} (${(r.ratio * 100).toFixed(0)} %)\n`);
    results.push(r);
  }
  const now = new Date();
  process.stdout.write(`\n${renderTable(results, now)}\n`);
  if (wanted.length === 0) {
    fs.writeFileSync(docPath, updateDoc(fs.readFileSync(docPath, 'utf8'), results, now));
    process.stdout.write(`\nwritten to ${path.relative(process.cwd(), docPath)}\n`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
    process.exit(1);
  });
}
