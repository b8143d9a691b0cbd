import { inspect } from 'node:util';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { installTemporalRuntime } from '../../workers/temporal-runtime';

/**
 * The time-skipping test server advertises no capabilities, so SDK core warns, whenever a worker
 * first polls it, that heartbeat details may be lost on failure. That says nothing about the code
 * under test, and it lands at a random moment in whatever a test captures from stderr (a CLI
 * command run in this process beside a worker): it is the one line dropped here.
 */
const TEST_SERVER_CAPABILITY_WARNING = 'did not advertise the activity_failure_include_heartbeat capability';

function printUnlessTestServerNoise(entry: LogEntry): void {
  if (entry.message.includes(TEST_SERVER_CAPABILITY_WARNING)) return;
  const when = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta && Object.keys(entry.meta).length > 0 ? ` ${inspect(entry.meta)}` : '';
  process.stderr.write(`${when} [${entry.level}] ${entry.message}${meta}\n`);
}

// Worker state changes at INFO drown the test report; warnings and errors still show.
try {
  installTemporalRuntime(new DefaultLogger('WARN', printUnlessTestServerNoise));
} catch {
  // Already installed in this process by an earlier test file.
}
