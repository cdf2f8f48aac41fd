/**
 * npm run kafka:setup [-- --dry-run]
 *
 * Creates the catalogue's missing topics on KAFKA_BROKERS, compares existing ones, fixes what Kafka
 * allows (configs, more partitions) and reports what it cannot. Exit codes: 0 all topics match (or
 * were made to), 1 a difference it cannot fix, 2 bad settings or arguments, 3 brokers unreachable
 * within KAFKA_SETUP_TIMEOUT_MS (default 15 s), 4 the cluster cannot administer topics.
 */
import { ConfigError, EnvReader, type Env } from '@pitwall/config';
import {
  catalogueFromEnv,
  isSettled,
  kafkaSettingsFromEnv,
  KafkaAdmin,
  KafkaAdminUnsupportedError,
  KafkaUnreachableError,
  renderTopicTable,
} from '@pitwall/kafka';
import { createLogger, type Logger } from '@pitwall/logger';

export const exitCodes = { ok: 0, mismatch: 1, usage: 2, unreachable: 3, unsupported: 4 } as const;

const usage = 'usage: npm run kafka:setup [-- --dry-run]   (reads KAFKA_BROKERS and the KAFKA_TOPIC_* catalogue settings)';

export interface SetupIo {
  /** The report (stdout). */
  out(text: string): void;
  /** Problems (stderr). */
  err(text: string): void;
  logger: Logger;
}

export async function setupKafka(argv: string[], env: Env, io: SetupIo): Promise<number> {
  const unknown = argv.filter((a) => a !== '--dry-run');
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(usage);
    return exitCodes.ok;
  }
  if (unknown.length > 0) {
    io.err(`kafka:setup: unknown argument ${unknown.join(' ')}\n${usage}`);
    return exitCodes.usage;
  }
  const dryRun = argv.includes('--dry-run');
  const reader = new EnvReader(env);
  let admin: KafkaAdmin;
  let catalogue;
  try {
    const settings = kafkaSettingsFromEnv(reader, { clientId: 'pitwall-kafka-setup' });
    catalogue = catalogueFromEnv(reader);
    const connectTimeoutMs = reader.int('KAFKA_SETUP_TIMEOUT_MS', { default: 15_000, min: 100, max: 600_000 });
    admin = new KafkaAdmin({ settings, logger: io.logger, connectTimeoutMs });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`kafka:setup: ${err.message}`);
      return exitCodes.usage;
    }
    throw err;
  }

  try {
    await admin.connect();
  } catch (err) {
    if (err instanceof KafkaUnreachableError) {
      io.err(`kafka:setup: ${err.message}`);
      return exitCodes.unreachable;
    }
    throw err;
  }
  try {
    const results = await admin.ensureTopics(catalogue, { dryRun });
    io.out(renderTopicTable(results));
    const unsettled = results.filter((r) => !isSettled(r.status));
    if (unsettled.length > 0) {
      io.err(
        `kafka:setup: ${unsettled.length} topic(s) differ from the catalogue in ways kafka:setup cannot change: ${unsettled.map((r) => r.topic).join(', ')}. ` +
          'Recreate them (losing their data) or change the catalogue settings to match.',
      );
      return exitCodes.mismatch;
    }
    io.out(dryRun ? 'dry run: nothing was changed' : 'all topics match the catalogue');
    return exitCodes.ok;
  } catch (err) {
    if (err instanceof KafkaAdminUnsupportedError) {
      io.err(`kafka:setup: ${err.message}`);
      return exitCodes.unsupported;
    }
    throw err;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

if (require.main === module) {
  const logger = createLogger({ service: 'kafka-setup', format: 'pretty', stream: process.stderr });
  const io: SetupIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`), logger };
  setupKafka(process.argv.slice(2), process.env, io).then(
    (code) => process.exit(code),
    (err: unknown) => {
      // An operator tool: one line, the stack only when asked for.
      process.stderr.write(`kafka:setup failed: ${err instanceof Error ? err.message : String(err)}\n`);
      if (process.env.LOG_LEVEL === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    },
  );
}
