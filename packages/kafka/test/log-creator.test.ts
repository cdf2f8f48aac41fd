import { PassThrough } from 'node:stream';
import { logLevel } from 'kafkajs';
import { createLogger } from '@pitwall/logger';
import { kafkaLogCreator, kafkaLogLevel } from '../src';

function capture(level: string) {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (d: Buffer) => d.toString().split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l))));
  return { logger: createLogger({ service: 'kafka-test', level, stream }), lines };
}

const entry = (level: logLevel, message: string) => ({
  namespace: 'Consumer',
  level,
  label: logLevel[level],
  log: { timestamp: '2026-01-01T00:00:00.000Z', logger: 'kafkajs', message, groupId: 'g1' },
});

describe('kafkajs logs through winston', () => {
  it('maps levels, keeps kafkajs fields, and sends routine INFO to verbose', async () => {
    const { logger, lines } = capture('info');
    const log = kafkaLogCreator(logger)(logLevel.INFO);
    log(entry(logLevel.ERROR, 'Crash: boom'));
    log(entry(logLevel.WARN, 'slow'));
    log(entry(logLevel.INFO, 'Consumer has joined the group'));
    log(entry(logLevel.DEBUG, 'fetch'));
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['error', 'Crash: boom'],
      ['warn', 'slow'],
    ]);
    expect(lines[0]).toMatchObject({ service: 'kafka-test', kafkajs: 'Consumer', groupId: 'g1' });
    expect(lines[0]).not.toHaveProperty('logger');
  });

  it('logs the per-heartbeat errors of a rebalance at verbose, other connection errors at error', async () => {
    const { logger, lines } = capture('info');
    const log = kafkaLogCreator(logger)(logLevel.INFO);
    const connection = (error: string) => ({ ...entry(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)'), namespace: 'Connection', log: { ...entry(logLevel.ERROR, '').log, message: 'Response Heartbeat(key: 12, version: 3)', error } });
    log(connection('The group is rebalancing, so a rejoin is needed'));
    log(connection('The coordinator is not aware of this member'));
    log(connection('The requested operation is not authorized'));
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.level, l.error])).toEqual([['error', 'The requested operation is not authorized']]);
  });

  it('asks kafkajs only for what the logger keeps', () => {
    expect(kafkaLogLevel(capture('warn').logger)).toBe(logLevel.WARN);
    expect(kafkaLogLevel(capture('info').logger)).toBe(logLevel.WARN);
    expect(kafkaLogLevel(capture('verbose').logger)).toBe(logLevel.INFO);
    expect(kafkaLogLevel(capture('debug').logger)).toBe(logLevel.DEBUG);
    expect(kafkaLogLevel(capture('error').logger)).toBe(logLevel.ERROR);
  });
});
