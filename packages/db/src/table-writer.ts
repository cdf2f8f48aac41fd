import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyField, realField, timestamptzField, type CellValue } from './pg-text';

export type SqlType =
  | 'text'
  | 'bigint'
  | 'integer'
  | 'smallint'
  | 'real'
  | 'double precision'
  | 'double precision[]'
  | 'boolean'
  | 'jsonb'
  /** `get` gives microseconds since the epoch; sent as exact UTC text (timestamptzField). */
  | 'timestamptz';

export interface Column<T> {
  name: string;
  type: SqlType;
  /** The field in COPY text terms: jsonb as JSON text, arrays as array literals. */
  get(value: T): CellValue;
  /** Puts the column's value, as read back (timestamps in µs, bigints as numbers), into a record. */
  set?(target: T, value: unknown): void;
}

/**
 * How a table takes a staged row: `ignore` keeps the stored row (frames: an identical frame),
 * `newest` keeps whichever has the greater `version` column (entities that are re-published).
 */
export type ConflictRule = { kind: 'ignore' } | { kind: 'newest'; key: string[]; version: string };

export interface TableSpec<T> {
  table: string;
  columns: Column<T>[];
  conflict: ConflictRule;
}

/** The statements for one table, built once from its spec. */
export interface TableStatements {
  createStaging: string;
  copy: string;
  insert: string;
  clearStaging: string;
  /**
   * COPY straight into the table, in COPY's binary format: for tables whose conflict rule is
   * `ignore` (see writeBatch).
   */
  copyDirect?: string;
}

export function tableStatements<T>(spec: TableSpec<T>): TableStatements {
  const staging = `${spec.table}_staging`;
  const names = spec.columns.map((c) => c.name);
  const columnList = names.join(', ');
  const stagedColumns = spec.columns.map((c) => `${c.name} ${c.type}`);
  let insert: string;
  if (spec.conflict.kind === 'ignore') {
    insert = `INSERT INTO ${spec.table} (${columnList}) SELECT ${columnList} FROM ${staging} ON CONFLICT DO NOTHING`;
  } else {
    const { key, version } = spec.conflict;
    const updates = names.filter((n) => !key.includes(n)).map((n) => `${n} = EXCLUDED.${n}`);
    // DISTINCT ON keeps one row per key from the batch: the newest, and on a tie the later one
    // (staged_order), because ON CONFLICT DO UPDATE cannot touch the same row twice in a statement.
    insert =
      `INSERT INTO ${spec.table} (${columnList}) ` +
      `SELECT DISTINCT ON (${key.join(', ')}) ${columnList} FROM ${staging} ` +
      `ORDER BY ${key.join(', ')}, ${version} DESC, staged_order DESC ` +
      `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')} ` +
      `WHERE ${spec.table}.${version} < EXCLUDED.${version}`;
  }
  return {
    createStaging: `CREATE TEMPORARY TABLE ${staging} (staged_order bigserial, ${stagedColumns.join(', ')}) ON COMMIT DROP`,
    copy: `COPY ${staging} (${columnList}) FROM STDIN`,
    insert,
    clearStaging: `TRUNCATE ${staging}`,
    ...(spec.conflict.kind === 'ignore' && { copyDirect: `COPY ${spec.table} (${columnList}) FROM STDIN (FORMAT binary)` }),
  };
}

/** Renders one value as a line of COPY text; built once per table. */
export type RowRenderer<T> = (value: T) => string;

export function rowRenderer<T>(columns: Column<T>[]): RowRenderer<T> {
  const fields = columns.map(({ get, type }): ((value: T) => string) => {
    if (type === 'timestamptz') return (v) => timestamptzField(get(v));
    if (type === 'real') return (v) => realField(get(v));
    return (v) => copyField(get(v));
  });
  // An array joined once builds a flat string; appending cell by cell builds a rope that is
  // slower to render and to flatten when sent (measured).
  const cells = new Array<string>(fields.length);
  return (value) => {
    for (let i = 0; i < fields.length; i++) cells[i] = fields[i]!(value);
    return `${cells.join('\t')}\n`;
  };
}

/** COPY text is sent in pieces of about this size rather than one string per batch. */
const COPY_CHUNK_CHARS = 256 * 1024;

function* copyChunks<T>(render: RowRenderer<T>, values: T[]): Generator<string> {
  let chunk = '';
  for (const value of values) {
    chunk += render(value);
    if (chunk.length >= COPY_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Sends `data` with `copySql` (a COPY ... FROM STDIN in the data's format); returns the rows copied. */
export async function copyData(client: ClientBase, copySql: string, data: Iterable<string | Buffer>): Promise<number> {
  const copy = client.query(copyFrom(copySql));
  await pipeline(Readable.from(data), copy);
  return copy.rowCount;
}

/**
 * Stages `values` with COPY and moves them into the table in one INSERT ... SELECT; returns how
 * many rows the INSERT wrote (the rest were duplicates or older versions). Runs inside the
 * caller's transaction, which must have created the staging table.
 */
export async function stageAndInsert<T>(client: ClientBase, statements: TableStatements, render: RowRenderer<T>, values: T[]): Promise<number> {
  await copyData(client, statements.copy, copyChunks(render, values));
  const { rowCount } = await client.query(statements.insert);
  await client.query(statements.clearStaging);
  return rowCount ?? 0;
}
