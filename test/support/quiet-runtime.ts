import { DefaultLogger } from '@temporalio/worker';
import { installTemporalRuntime } from '../../workers/temporal-runtime';

// Worker state changes at INFO drown the test report; warnings and errors still show.
try {
  installTemporalRuntime(new DefaultLogger('WARN'));
} catch {
  // Already installed in this process by an earlier test file.
}
