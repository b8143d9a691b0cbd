/** Settings read from the environment, each with the local default the stack uses. */
export interface RuntimeConfig {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  smtpUrl: string;
  mailFrom: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error('DATABASE_URL is not set: start the local stack (npm run stack) and use the address it prints');
  }
  return {
    databaseUrl,
    temporalAddress: env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    smtpUrl: env.SMTP_URL ?? 'smtp://127.0.0.1:1025',
    mailFrom: env.MAIL_FROM ?? 'Renewals 续期服务 <renewals@insurer.example>',
  };
}
