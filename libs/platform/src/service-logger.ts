import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { AppConfig } from '@su/config';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** One logger per service: the service name as prefix, JSON lines when SU_LOG_JSON is set (for collectors). */
export function createServiceLogger(service: string, config: AppConfig): ConsoleLogger {
  const upTo = ORDER.indexOf(config.log.level);
  return new ConsoleLogger({
    prefix: service,
    json: config.log.json,
    logLevels: ORDER.slice(0, upTo + 1),
    colors: !config.log.json && process.stdout.isTTY,
  });
}
