import { ConfigError, loadConfig } from '../../../src/config';

export const KEY = 'a'.repeat(64);

/** The least a development process needs. */
export const DEVELOPMENT_ENV = { API_KEYS: 'dev_key_1', WEBHOOK_SECRET: 'secret', ENCRYPTION_KEYS: `dev1:${KEY}` };

/** The least a production process needs. */
export const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  API_KEYS: 'k'.repeat(40),
  WEBHOOK_SECRET: 's'.repeat(40),
  ENCRYPTION_KEYS: `prod1:${KEY}`,
  DATABASE_URL: 'postgres://db/x',
  PUBLIC_BASE_URL: 'https://sync.example.com',
};

/** What `loadConfig` refuses in `env`, one message each; none when it loads. */
export function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}
