import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state changes at INFO drown the test report; warnings and errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process by an earlier test file.
}
