import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { MemoryBus } from '@pitwall/bus';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { AlertSeverity, codecs, encodeFrame, Source } from '@pitwall/proto';
import { Health } from '@pitwall/service';
import { loadWsBridgeConfig, startWsBridge, type RunningWsBridge } from '../../ws-bridge/src';
import { EnvReader } from '@pitwall/config';
import { migrate, startTestPostgres, writeFrames, type TestPostgres } from '@pitwall/db';

// Starting PostgreSQL and a browser takes seconds on a loaded 2-core machine.
jest.setTimeout(60_000);

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const distDir = path.resolve(__dirname, '../dist');
const artifacts = path.resolve(__dirname, '../../../test-artifacts');
const missing = [!fs.existsSync(chromiumPath) && `no browser at ${chromiumPath} (apt-get install chromium)`, !fs.existsSync(path.join(distDir, 'index.html')) && 'dashboard not built (npm run build)'].filter(Boolean);

(missing.length ? describe.skip : describe)('dashboard in a real browser', () => {
  if (missing.length) console.warn(`skipping dashboard browser test: ${missing.join('; ')}`);

  const catalogue = topicCatalogue({ telemetryPartitions: 2 });
  const topics = topicNames(catalogue);
  let bus: MemoryBus;
  let bridge: RunningWsBridge;
  let browser: Browser;
  let feeding: NodeJS.Timeout;
  let pg: TestPostgres;

  beforeAll(async () => {
    // A stored session for the replay controls.
    pg = await startTestPostgres('dashboard');
    const { pool } = await pg.createDatabase();
    await migrate(pool, { logger: silentLogger() });
    const stored = Array.from({ length: 600 }, (_, i) => {
      const angle = (i / 200) * 2 * Math.PI;
      return codecs.frame.decode(
        encodeFrame({ sessionId: 'stored-race', carId: 'car-9', driverName: 'Jim', track: 'sebring', sequence: i + 1, sourceTimeUs: 1_763_000_000_000_000 + i * 50_000, lap: 1 + Math.floor(i / 200), lapDistanceM: (i % 200) * 30, speedKmh: 200, worldPositionM: { x: 500 * Math.cos(angle), y: 300 * Math.sin(angle), z: 0 } }),
      );
    });
    await writeFrames(pool, { records: stored.map((value, offset) => ({ value, topic: topics.telemetry, partition: 0, offset })), group: 'seed' });
    bus = new MemoryBus({ catalogue });
    const config = { ...loadWsBridgeConfig(new EnvReader({})), port: 0, host: '127.0.0.1', batchMs: 100, dashboardDir: distDir, groupId: 'dash-test' };
    bridge = await startWsBridge({ bus, topics, logger: silentLogger(), metrics: new Metrics('ws-bridge'), health: new Health(), config, pool });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // Three cars lapping an oval, 20 Hz each.
    const producer = bus.producer();
    let tick = 0;
    feeding = setInterval(() => {
      tick++;
      const frames = [0, 1, 2].map((car) => {
        const angle = (tick / 100) * 2 * Math.PI + car * 0.6;
        return encodeFrame({
          sessionId: 'test-session',
          source: Source.SOURCE_SIMULATOR,
          carId: `car-${car + 1}`,
          driverName: ['Ayrton', 'Alain', 'Nigel'][car],
          track: 'sebring',
          sequence: tick,
          sourceTimeUs: Date.now() * 1000,
          lap: 1 + Math.floor(tick / 100),
          speedKmh: 180 + 40 * Math.sin(angle * 2),
          throttle: Math.max(0, Math.sin(angle * 2)),
          brake: Math.max(0, -Math.sin(angle * 2)),
          rpm: 6000 + 1500 * Math.sin(angle * 2),
          gear: 4,
          racePosition: car + 1,
          worldPositionM: { x: 900 * Math.cos(angle), y: 400 * Math.sin(angle), z: 0 },
        });
      });
      void producer.send(topics.telemetry, frames.map((value) => ({ key: 'test-session', value })));
    }, 50);
  });

  afterAll(async () => {
    clearInterval(feeding);
    await browser?.close();
    await bridge?.stop();
    await bus?.close();
    await pg?.stop();
  });

  it('loads, shows live cars, traces, the track map, laps, insights and alerts, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${bridge.port}/`);
    await page.waitForSelector('#status.online', { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('#cars tbody tr').length === 3, undefined, { timeout: 10_000 });

    const producer = bus.producer();
    await producer.send(topics.laps, [{ key: 'test-session', value: codecs.lap.encode({ sessionId: 'test-session', carId: 'car-1', lap: 1, lapTimeS: 92.345, sectorTimesS: [30.1, 31.2, 31.045], tyreStress: 812, valid: true }) }]);
    await producer.send(topics.insights, [{ key: 'test-session', value: codecs.insight.encode({ sessionId: 'test-session', carId: 'car-1', lap: 1, lapTyreStress: 812, predictedLossPerLapSeconds: 0.072, lapsUntil_0_5sLoss: 6.9, confidence: 0.55, explanation: 'lateral load in sector 2 dominates' }) }]);
    await producer.send(topics.alerts, [{ key: 'test-session', value: codecs.alert.encode({ alertId: 'a1', sessionId: 'test-session', carId: 'car-2', code: 'TYRE_OVERHEAT', severity: AlertSeverity.ALERT_SEVERITY_WARNING, message: 'front left 118 °C', atUs: Date.now() * 1000 }) }]);

    await page.waitForFunction(() => document.querySelector('#laps tbody tr td:nth-child(3)')?.textContent === '1:32.345', undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('#insight .big')?.textContent === '72 ms/lap', undefined, { timeout: 10_000 });
    await page.waitForFunction(() => (document.querySelector('#alerts li')?.textContent ?? '').includes('TYRE_OVERHEAT'), undefined, { timeout: 10_000 });

    // Live: the speed shown for the leader changes between two looks.
    const speedOf = () => page.$eval('#cars tbody tr:first-child td:nth-child(5)', (td) => td.textContent);
    const first = await speedOf();
    await page.waitForFunction((was) => document.querySelector('#cars tbody tr:first-child td:nth-child(5)')?.textContent !== was, first, { timeout: 5_000 });
    expect(await page.$eval('#cars tbody tr:first-child td:nth-child(3)', (td) => td.textContent)).toBe('Ayrton');
    // Traces have data, the map has dots.
    expect(await page.locator('#trace-speed canvas').count()).toBeGreaterThan(0);
    const mapHasInk = await page.$eval('#map', (c) => {
      const ctx = (c as HTMLCanvasElement).getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height);
      let lit = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! > 60 || data[i + 1]! > 60 || data[i + 2]! > 60) lit++;
      return lit;
    });
    expect(mapHasInk).toBeGreaterThan(500);
    await page.waitForFunction(() => /^[1-9]\d* points\/s$/.test(document.querySelector('#rate')?.textContent ?? ''), undefined, { timeout: 5_000 });

    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);

  it('replays a stored session from the replay controls, then returns to live', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${bridge.port}/`);
    await page.waitForSelector('#status.online', { timeout: 10_000 });
    await page.waitForFunction(() => [...document.querySelectorAll('#replay-session option')].some((o) => (o as HTMLOptionElement).value === 'stored-race'), undefined, { timeout: 10_000 });
    await page.selectOption('#replay-session', 'stored-race');
    await page.selectOption('#replay-speed', '16');
    await page.click('#replay-play');
    await page.waitForSelector('#status.replay', { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('#session')?.textContent?.includes('stored-race') && document.querySelector('#cars tbody tr td:nth-child(3)')?.textContent === 'Jim', undefined, { timeout: 10_000 });
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'dashboard-replay.png'), fullPage: true });
    await page.click('#replay-stop');
    await page.waitForSelector('#status.online', { timeout: 10_000 });
    expect(await page.textContent('#replay-state')).toMatch(/replay ended/);
    expect(errors).toEqual([]);
  }, 60_000);
});
