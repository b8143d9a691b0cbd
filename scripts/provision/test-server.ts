import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, step } from './cache';
import { hasCommand, run, tail } from './run';
import type { Provisioned } from './temporal-cli';

/** The Java SDK release train that publishes `io.temporal:temporal-test-server`. */
export const TEST_SERVER_VERSION = '1.38.0';

function pom(version: string): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.renewals</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${version}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * The wrapper the SDK runs as `<path> <port>`. C1-only JIT and the serial GC keep the JVM's cold
 * start well inside the SDK's 5 s readiness window on 2 cores.
 */
function wrapper(classpathFile: string): string {
  return `#!/bin/sh
# Temporal time-skipping test server ${TEST_SERVER_VERSION}, classpath resolved from Maven Central.
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k \\
  -cp "$(cat '${classpathFile}')" io.temporal.testserver.TestServer "$@"
`;
}

function classpathComplete(classpathFile: string): boolean {
  if (!existsSync(classpathFile)) return false;
  const entries = readFileSync(classpathFile, 'utf8').trim().split(':');
  return entries.length > 0 && entries.every((jar) => existsSync(jar));
}

/**
 * The Java time-skipping test server: TEMPORAL_TEST_SERVER_PATH, else a cached Maven classpath
 * behind a wrapper script, else resolved with Maven now, else the SDK's own download.
 */
export function ensureTestServer(): Provisioned {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TEMPORAL_TEST_SERVER_PATH=${fromEnv} does not exist`);
    step(`time-skipping test server: using TEMPORAL_TEST_SERVER_PATH=${fromEnv}`);
    return { executable: { type: 'existing-path', path: fromEnv }, source: `TEMPORAL_TEST_SERVER_PATH ${fromEnv}` };
  }
  const dir = cacheDir('temporal-test-server', TEST_SERVER_VERSION);
  const classpathFile = join(dir, 'classpath.txt');
  const script = join(dir, 'temporal-test-server.sh');
  if (existsSync(script) && classpathComplete(classpathFile)) {
    step(`time-skipping test server: cached ${script}`);
    return { executable: { type: 'existing-path', path: script }, source: `cached ${script}` };
  }
  if (hasCommand('mvn') && hasCommand('java')) {
    step(`time-skipping test server: resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven...`);
    writeFileSync(join(dir, 'pom.xml'), pom(TEST_SERVER_VERSION));
    const result = run(
      'mvn',
      ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`],
      { cwd: dir },
    );
    if (result.ok && classpathComplete(classpathFile)) {
      writeFileSync(script, wrapper(classpathFile));
      chmodSync(script, 0o755);
      step(`time-skipping test server: wrote ${script}`);
      return { executable: { type: 'existing-path', path: script }, source: `built ${script}` };
    }
    step(`time-skipping test server: Maven failed:\n${tail(result.output)}`);
  } else {
    step('time-skipping test server: no `mvn` and `java` on PATH');
  }
  step('time-skipping test server: falling back to the SDK download (needs internet access)');
  return {
    executable: { type: 'cached-download', downloadDir: cacheDir('sdk-download') },
    source: 'SDK download',
  };
}
