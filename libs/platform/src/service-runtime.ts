import { Logger, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { ConfigError, loadConfig, type AppConfig } from '@su/config';
import { Database, migrateDatabase } from '@su/db';
import { startHeartbeatFile } from './heartbeat-file.ts';
import { ProcessStatsReporter } from './process-stats.reporter.ts';
import type { PlatformOptions } from './platform.module.ts';
import { ProcessMetricsPublisher } from './process-metrics.publisher.ts';
import { createServiceLogger } from './service-logger.ts';

/** The size of the slab small Buffers are cut from (`Buffer.poolSize`), in every service. */
export const SMALL_BUFFER_SLAB_BYTES = 8 * 1024;

export interface ServiceDefinition {
  service: string;
  /** Builds the Nest application or context; `afterStart` runs once it is up. */
  create: (platform: PlatformOptions, logger: LoggerService) => Promise<INestApplicationContext>;
  afterStart?: (app: INestApplicationContext, config: AppConfig, logger: Logger) => Promise<void>;
  /**
   * Starts the OpenTelemetry SDK for this process when configured (apps wire it: libs use the API only; ADR 0034).
   * Returns null when tracing is off.
   */
  tracing?: (service: string, otlpEndpoint: string | undefined) => Promise<{ shutdown(): Promise<void> } | null>;
}

/**
 * The common start of every service: validate configuration (a bad value stops the service with a message naming
 * it), apply migrations under an advisory lock (several services may start together), build the app, and stop
 * cleanly on SIGINT/SIGTERM.
 */
export async function runService(def: ServiceDefinition): Promise<void> {
  // Small Buffers are slices of a shared slab, and one slice kept alive keeps its whole slab: Node 24's 64 KB slabs
  // made every open SSH connection (ssh2 keeps small buffers of its handshake) pin a few of them, about 20 MB of
  // buffers with 128 jobs in flight. Node's earlier 8 KB slab bounds that (ADR 0053).
  Buffer.poolSize = SMALL_BUFFER_SLAB_BYTES;
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${def.service}: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createServiceLogger(def.service, config);
  Logger.overrideLogger(logger);
  const log = new Logger('Service');
  for (const w of config.warnings) log.warn(w);
  if (!config.databaseUrl) {
    log.fatal('DATABASE_URL is not set. Run `npm start` for the embedded database, or set DATABASE_URL.');
    process.exit(2);
  }
  const tracing = (await def.tracing?.(def.service, config.telemetry.otlpEndpoint)) ?? null;
  if (tracing) {
    log.log(`traces go to ${config.telemetry.otlpEndpoint} (OTLP/HTTP)`);
    // Spans still in the batch are sent while Nest closes the application.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void tracing.shutdown());
  }
  try {
    const applied = await migrateDatabase(config.databaseUrl, { log: (m) => log.log(m) });
    if (applied.length) log.log(`applied migrations: ${applied.join(', ')}`);
    const app = await def.create({ service: def.service, config, databaseUrl: config.databaseUrl }, logger);
    app.enableShutdownHooks(['SIGINT', 'SIGTERM']);
    await def.afterStart?.(app, config, log);
    await app.get(ProcessMetricsPublisher).start(def.service);
    startHeartbeatFile(def.service, app.get(Database));
    // Its CPU and memory for the system metrics, at the sampling interval (issue 16).
    new ProcessStatsReporter(def.service, app.get(Database)).start(config.maintenance.systemMetricsSeconds * 1000);
    log.log(`${def.service} ready (pid ${process.pid})`);
  } catch (e) {
    log.fatal(`${def.service} failed to start: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  }
}
