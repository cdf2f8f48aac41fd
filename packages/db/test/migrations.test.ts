import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Pool } from 'pg';
import { Pool as PgPool } from 'pg';
import { detectStorage, FRAME_COLUMNS, loadMigrations, migrate, MigrationError, startTestPostgres, type TestPostgres } from '../src';
import { logger, DB_TEST_TIMEOUT_MS } from './helpers';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres('migrations');
});
afterAll(async () => {
  await pg?.stop();
});

const migrations = loadMigrations();
const EXPECTED_TABLES = ['alerts', 'consumer_offsets', 'frames', 'insights', 'laps', 'schema_migrations', 'sessions'];

/** Everything a migration defines, in a comparable form. */
async function schemaOf(pool: Pool): Promise<unknown> {
  const columns = await pool.query(`
    SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
    WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`);
  const indexes = await pool.query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`);
  const constraints = await pool.query(`
    SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
    WHERE connamespace = 'public'::regnamespace ORDER BY conname`);
  return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows };
}

async function tables(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ t: string }>(
    `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'frames_p%'
     UNION SELECT relname FROM pg_class WHERE relkind = 'p' AND relnamespace = 'public'::regnamespace ORDER BY 1`,
  );
  return rows.map((r) => r.t);
}

describe('migrate', () => {
  test('from an empty database creates every table and records each version with its checksum', async () => {
    const { pool } = await pg.createDatabase();
    const result = await migrate(pool, { logger });
    expect(result).toEqual({ storage: 'postgres', applied: migrations.map((m) => m.version), version: migrations.length });
    expect(await tables(pool)).toEqual(EXPECTED_TABLES);
    const { rows } = await pool.query('SELECT version, name, variant, checksum FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => [r.version, r.name, r.variant])).toEqual(
      migrations.map((m) => [m.version, m.name, m.variants ? 'postgres' : 'common']),
    );
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
  });

  test('frames has exactly the columns the writer stages, in order', async () => {
    const { pool } = await pg.createDatabase();
    await migrate(pool, { logger });
    const { rows } = await pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'frames' ORDER BY ordinal_position`,
    );
    expect(rows.map((r) => r.column_name)).toEqual(FRAME_COLUMNS.map((c) => c.name));
  });

  test('running twice applies nothing the second time and changes nothing', async () => {
    const { pool } = await pg.createDatabase();
    await migrate(pool, { logger });
    const before = await schemaOf(pool);
    expect(await migrate(pool, { logger })).toEqual({ storage: 'postgres', applied: [], version: migrations.length });
    expect(await schemaOf(pool)).toEqual(before);
  });

  test('from every earlier version, upgrading gives the same schema as a fresh install', async () => {
    const fresh = await pg.createDatabase();
    await migrate(fresh.pool, { logger });
    const expected = await schemaOf(fresh.pool);
    for (let k = 1; k < migrations.length; k++) {
      const { pool } = await pg.createDatabase();
      expect((await migrate(pool, { logger, target: k })).applied).toEqual(migrations.slice(0, k).map((m) => m.version));
      const upgrade = await migrate(pool, { logger });
      expect(upgrade.applied).toEqual(migrations.slice(k).map((m) => m.version));
      expect(await schemaOf(pool)).toEqual(expected);
    }
  });

  test('two processes migrating at once apply each migration exactly once', async () => {
    const db = await pg.createDatabase();
    const other = new PgPool({ connectionString: db.connectionString, max: 2 });
    try {
      const [a, b] = await Promise.all([migrate(db.pool, { logger }), migrate(other, { logger })]);
      expect([...a.applied, ...b.applied].sort((x, y) => x - y)).toEqual(migrations.map((m) => m.version));
      // One of them did all the work while the other waited on the lock.
      expect([a.applied.length, b.applied.length].sort()).toEqual([0, migrations.length]);
      expect(await tables(db.pool)).toEqual(EXPECTED_TABLES);
    } finally {
      await other.end();
    }
  });

  test('an applied migration whose SQL changed is reported as an error and nothing more runs', async () => {
    const { pool } = await pg.createDatabase();
    await migrate(pool, { logger, target: 2 });
    const edited = migrations.map((m) => (m.version === 2 ? { ...m, common: `${m.common}\n-- edited later` } : m));
    await expect(migrate(pool, { logger, migrations: edited })).rejects.toThrow(
      new MigrationError(
        'applied migrations were changed after they ran: 2_sessions (common). ' +
          'Never edit an applied migration; add a new one instead (or restore the original file).',
      ),
    );
    expect(await tables(pool)).toEqual(['consumer_offsets', 'schema_migrations', 'sessions']);
  });

  test('a failing migration rolls back entirely and names itself', async () => {
    const { pool } = await pg.createDatabase();
    const broken = [...migrations, { version: migrations.length + 1, name: 'broken', common: 'CREATE TABLE half_done (x int); SELECT no_such_function();' }];
    await expect(migrate(pool, { logger, migrations: broken })).rejects.toThrow(/migration 7_broken \(common\) failed: function no_such_function\(\) does not exist/);
    expect(await tables(pool)).not.toContain('half_done');
    const { rows } = await pool.query('SELECT max(version) AS v FROM schema_migrations');
    expect(rows[0].v).toBe(migrations.length);
  });
});

describe('storage detection', () => {
  test('this server has no TimescaleDB, so the plain PostgreSQL path is taken and says why', async () => {
    const { pool } = await pg.createDatabase();
    const client = await pool.connect();
    try {
      expect(await detectStorage(client)).toEqual({ storage: 'postgres', reason: 'the timescaledb extension is not installed on this server' });
    } finally {
      client.release();
    }
  });
});

describe('loadMigrations', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function dirWith(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'pitwall-migrations-'));
    dirs.push(dir);
    for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
    return dir;
  }

  test('the shipped migrations are numbered without gaps, and frames has both storage variants', () => {
    expect(migrations.map((m) => `${m.version}_${m.name}`)).toEqual([
      '1_consumer_offsets', '2_sessions', '3_frames', '4_laps', '5_insights', '6_alerts',
    ]);
    expect(Object.keys(migrations[2]!.variants!)).toEqual(['postgres', 'timescaledb']);
  });

  test('a gap in the numbering is refused', () => {
    expect(() => loadMigrations(dirWith({ '001_a.sql': '', '003_c.sql': '' }))).toThrow(/without gaps; found 3 at position 2/);
  });

  test('a storage variant without its twin is refused', () => {
    expect(() => loadMigrations(dirWith({ '001_a.postgres.sql': '' }))).toThrow(/must have both/);
  });

  test('a badly named file is refused', () => {
    expect(() => loadMigrations(dirWith({ '1_a.sql': '' }))).toThrow(/expected NNN_name.sql/);
  });

  test('CRLF line ends do not change a checksum', () => {
    const lf = loadMigrations(dirWith({ '001_a.sql': 'SELECT 1;\nSELECT 2;\n' }));
    const crlf = loadMigrations(dirWith({ '001_a.sql': 'SELECT 1;\r\nSELECT 2;\r\n' }));
    expect(crlf).toEqual(lf);
  });
});
