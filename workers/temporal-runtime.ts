import { Runtime, type Logger, type LogLevel, type MetricsExporterConfig } from '@temporalio/worker';

/**
 * Installs the process's Temporal runtime, before any connection or worker exists. SDK core's own
 * lines (a server capability warning, a poller error) are printed straight to stdout unless they are
 * forwarded: here they go through `logger`, which writes to stderr like every other component's, so
 * a command's stdout holds its output alone (`renewals simulate --json | jq`).
 */
export function installTemporalRuntime(logger: Logger, options: { coreLevel?: LogLevel; metrics?: MetricsExporterConfig } = {}): void {
  Runtime.install({
    logger,
    telemetryOptions: {
      logging: { filter: { core: options.coreLevel ?? 'WARN', other: 'ERROR' }, forward: {} },
      ...(options.metrics ? { metrics: options.metrics } : {}),
    },
  });
}
