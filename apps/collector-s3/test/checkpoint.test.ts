import { readdir, readFile, writeFile } from 'node:fs/promises';
import { Checkpoint, CheckpointError } from '../src/checkpoint';
import { tempDir, until } from './helpers';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.remove();
});

const open = (file: string, over: Partial<Parameters<typeof Checkpoint.load>[0]> = {}) =>
  Checkpoint.load({ file, bucket: 'gr-cup', prefix: 'exports/', maxDone: 100, minSaveIntervalMs: 0, ...over });
const onDisk = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

describe('Checkpoint', () => {
  test('no file is a fresh start; what was flushed is what the next process loads', async () => {
    const file = `${dir.path}/nested/dir/cp.json`;
    const { checkpoint: first } = await open(file);
    expect([first.inProgress, first.doneCount]).toEqual([null, 0]);
    first.complete('exports/a.csv', '"e1"');
    first.progress({ key: 'exports/b.csv', etag: '"e2"', rowsDone: 1200, maxOpenSamples: 64 });
    await first.flush();

    const { checkpoint: second, ignored } = await open(file);
    expect(ignored).toBeUndefined();
    expect(second.inProgress).toEqual({ key: 'exports/b.csv', etag: '"e2"', rowsDone: 1200, maxOpenSamples: 64 });
    expect(second.isDone('exports/a.csv', '"e1"')).toBe(true);
    expect(second.isDone('exports/a.csv', '"changed"')).toBe(false);
    // Written by rename: no temporary file is left next to it.
    expect(await readdir(`${dir.path}/nested/dir`)).toEqual(['cp.json']);
  });

  test('completing the object in progress clears it', async () => {
    const { checkpoint } = await open(`${dir.path}/cp.json`);
    checkpoint.progress({ key: 'k', etag: 'e', rowsDone: 5, maxOpenSamples: 1 });
    checkpoint.complete('k', 'e');
    await checkpoint.flush();
    expect(await onDisk(`${dir.path}/cp.json`)).toMatchObject({ inProgress: null, done: [['k', 'e']] });
  });

  test('saves are throttled and coalesced, and the last state always reaches the disk', async () => {
    const file = `${dir.path}/cp.json`;
    const { checkpoint } = await open(file, { minSaveIntervalMs: 300 });
    checkpoint.progress({ key: 'k', etag: 'e', rowsDone: 1, maxOpenSamples: 1 });
    await until(async () => (await onDisk(file).catch(() => null))?.inProgress?.rowsDone === 1, 2000);
    for (let i = 2; i <= 100; i++) checkpoint.progress({ key: 'k', etag: 'e', rowsDone: i, maxOpenSamples: 1 });
    expect((await onDisk(file)).inProgress.rowsDone).toBe(1);
    await until(async () => (await onDisk(file)).inProgress.rowsDone === 100, 3000, 'throttled save');
    checkpoint.progress({ key: 'k', etag: 'e', rowsDone: 101, maxOpenSamples: 1 });
    await checkpoint.flush();
    expect((await onDisk(file)).inProgress.rowsDone).toBe(101);
  });

  test('the done set is bounded: the oldest completions are forgotten first', async () => {
    const { checkpoint } = await open(`${dir.path}/cp.json`, { maxDone: 3 });
    for (const k of ['a', 'b', 'c', 'd', 'e']) checkpoint.complete(k, `etag-${k}`);
    checkpoint.complete('c', 'etag-c2'); // c becomes the newest
    checkpoint.complete('f', 'etag-f');
    expect(checkpoint.doneCount).toBe(3);
    expect(checkpoint.forgotten).toBe(3);
    expect(['a', 'b', 'd'].map((k) => checkpoint.hasDone(k))).toEqual([false, false, false]);
    expect([checkpoint.isDone('c', 'etag-c2'), checkpoint.isDone('e', 'etag-e'), checkpoint.isDone('f', 'etag-f')]).toEqual([true, true, true]);
    await checkpoint.flush();
    expect((await onDisk(`${dir.path}/cp.json`)).done).toEqual([
      ['e', 'etag-e'],
      ['c', 'etag-c2'],
      ['f', 'etag-f'],
    ]);
  });

  test('done keys not in a complete listing any more are pruned', async () => {
    const { checkpoint } = await open(`${dir.path}/cp.json`);
    for (const k of ['a', 'b', 'c']) checkpoint.complete(k, 'e');
    expect(checkpoint.pruneDone((k) => k !== 'b')).toBe(1);
    expect([checkpoint.hasDone('a'), checkpoint.hasDone('b'), checkpoint.hasDone('c')]).toEqual([true, false, true]);
    await checkpoint.flush();
  });

  test("another bucket's or prefix's checkpoint is ignored, not trusted", async () => {
    const file = `${dir.path}/cp.json`;
    const { checkpoint } = await open(file);
    checkpoint.complete('exports/a.csv', 'e');
    await checkpoint.flush();
    const other = await open(file, { prefix: 'other/' });
    expect(other.ignored).toBe('it is for s3://gr-cup/exports/');
    expect(other.checkpoint.doneCount).toBe(0);
  });

  test.each([
    ['not json', 'not JSON'],
    ['{"version":2}', 'not a version 1 checkpoint'],
    ['{"version":1,"bucket":"gr-cup","prefix":"exports/","inProgress":null,"done":[["a"]]}', 'done is not a list'],
    ['{"version":1,"bucket":"gr-cup","prefix":"exports/","inProgress":{"key":"a","etag":"e","rowsDone":-1,"maxOpenSamples":1},"done":[]}', 'inProgress is not'],
  ])('a damaged file stops the start with its name: %s', async (content, reason) => {
    const file = `${dir.path}/cp.json`;
    await writeFile(file, content);
    const err = await open(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain(reason);
  });
});
