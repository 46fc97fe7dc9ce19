import { describe, expect, it } from 'vitest';
import { loadEnv, redactUrlPassword } from '../../src/config/env.js';
import { KhabarError } from '../../src/errors.js';

function envError(env: NodeJS.ProcessEnv): KhabarError {
  try {
    loadEnv(env);
  } catch (err) {
    if (err instanceof KhabarError) return err;
    throw err;
  }
  throw new Error('loadEnv accepted an invalid environment');
}

describe('loadEnv', () => {
  it('fills every default from an empty environment', () => {
    expect(loadEnv({})).toEqual({
      databaseUrl: null,
      dataDir: './data',
      port: 3000,
      host: '0.0.0.0',
      logLevel: 'info',
      feedsFile: './feeds.yaml',
      publicUrl: 'http://localhost:3000',
      databasePoolMax: 10,
      databasePrepare: true,
      shutdownTimeoutMs: 30_000,
      parseWorkers: null,
      parseBudgetMs: 10_000,
      metricsToken: null,
      metricsPort: null,
      heapGrowthPercent: 50,
      pgliteSharedBuffersMb: 32,
    });
  });

  it('treats empty and blank strings as unset', () => {
    const env = loadEnv({ DATABASE_URL: '', PORT: '  ', LOG_LEVEL: '', DATA_DIR: '', PUBLIC_URL: '' });
    expect(env.databaseUrl).toBeNull();
    expect(env.port).toBe(3000);
    expect(env.logLevel).toBe('info');
    expect(env.dataDir).toBe('./data');
  });

  it('reads every variable', () => {
    expect(
      loadEnv({
        DATABASE_URL: 'postgresql://khabar:secret@db:5432/khabar',
        DATA_DIR: '/var/lib/khabar',
        PORT: '8080',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'DEBUG',
        FEEDS_FILE: '/etc/khabar/feeds.yaml',
        PUBLIC_URL: 'https://news.example.org/khabar/',
        DATABASE_POOL_MAX: '3',
        DATABASE_PREPARE: 'false',
        SHUTDOWN_TIMEOUT_MS: '0',
        PARSE_WORKERS: '3',
        PARSE_BUDGET_MS: '2500',
        METRICS_TOKEN: 'a-long-enough-scrape-token',
        METRICS_PORT: '9464',
        HEAP_GROWTH_PERCENT: '25',
        PGLITE_SHARED_BUFFERS_MB: '64',
      }),
    ).toEqual({
      databaseUrl: 'postgresql://khabar:secret@db:5432/khabar',
      dataDir: '/var/lib/khabar',
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'debug',
      feedsFile: '/etc/khabar/feeds.yaml',
      publicUrl: 'https://news.example.org/khabar',
      databasePoolMax: 3,
      databasePrepare: false,
      shutdownTimeoutMs: 0,
      parseWorkers: 3,
      parseBudgetMs: 2500,
      metricsToken: 'a-long-enough-scrape-token',
      metricsPort: 9464,
      heapGrowthPercent: 25,
      pgliteSharedBuffersMb: 64,
    });
  });

  it('bounds heap growth by default, and leaves it to V8 with HEAP_GROWTH_PERCENT=0', () => {
    expect(loadEnv({}).heapGrowthPercent).toBe(50);
    expect(loadEnv({ HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent).toBeNull();
    expect(loadEnv({}).pgliteSharedBuffersMb).toBe(32);
  });

  it('derives the default public URL from PORT', () => {
    expect(loadEnv({ PORT: '4000' }).publicUrl).toBe('http://localhost:4000');
  });

  it('ignores variables it does not own, such as TEST_DATABASE_URL', () => {
    expect(loadEnv({ TEST_DATABASE_URL: 'postgres://x/y' }).databaseUrl).toBeNull();
  });

  it.each([
    ['PORT', 'abc', /^  PORT: must be a whole number from 1 to 65535 \(got "abc"\)$/m],
    ['PORT', '0', /^  PORT: must be a whole number from 1 to 65535 \(got "0"\)$/m],
    ['PORT', '65536', /^  PORT: must be a whole number from 1 to 65535/m],
    ['PORT', '80.5', /^  PORT: must be a whole number/m],
    ['PORT', '3000abc', /^  PORT: must be a whole number/m],
    ['LOG_LEVEL', 'verbose', /^  LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent \(got "verbose"\)$/m],
    ['DATABASE_URL', 'mysql://db/khabar', /^  DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/m],
    ['DATABASE_URL', 'not a url', /^  DATABASE_URL: must be a postgres/m],
    ['PUBLIC_URL', 'ftp://news.example.org', /^  PUBLIC_URL: must be an http\(s\) URL/m],
    ['PUBLIC_URL', 'news.example.org', /^  PUBLIC_URL: must be an http\(s\) URL/m],
    ['DATABASE_POOL_MAX', '0', /^  DATABASE_POOL_MAX: must be a whole number from 1 to 1000/m],
    ['DATABASE_PREPARE', 'no', /^  DATABASE_PREPARE: must be true or false/m],
    ['SHUTDOWN_TIMEOUT_MS', '-1', /^  SHUTDOWN_TIMEOUT_MS: must be a whole number from 0 to 3600000/m],
    ['PARSE_BUDGET_MS', '50', /^  PARSE_BUDGET_MS: must be a whole number from 100 to 600000/m],
    ['PARSE_WORKERS', '0', /^  PARSE_WORKERS: must be a whole number from 1 to 64/m],
    ['HEAP_GROWTH_PERCENT', '401', /^  HEAP_GROWTH_PERCENT: must be a whole number from 0 to 400/m],
    ['HEAP_GROWTH_PERCENT', '-5', /^  HEAP_GROWTH_PERCENT: must be a whole number from 0 to 400/m],
    ['PGLITE_SHARED_BUFFERS_MB', '0', /^  PGLITE_SHARED_BUFFERS_MB: must be a whole number from 1 to 65536/m],
  ])('rejects %s=%j', (variable, value, message) => {
    const err = envError({ [variable]: value });
    expect(err.code).toBe('CONFIG_ENV_INVALID');
    expect(err.message).toMatch(message);
    expect(err.details.problems).toEqual([expect.objectContaining({ variable })]);
  });

  it('reports every bad variable at once', () => {
    const err = envError({ PORT: 'x', LOG_LEVEL: 'loud', DATABASE_POOL_MAX: 'many' });
    const variables = (err.details.problems as { variable: string }[]).map((p) => p.variable);
    expect(variables).toEqual(['PORT', 'LOG_LEVEL', 'DATABASE_POOL_MAX']);
    expect(err.message.split('\n')).toHaveLength(4);
  });

  it('never prints a database password', () => {
    const err = envError({ DATABASE_URL: 'mysql://khabar:hunter2@db/khabar' });
    expect(err.message).not.toContain('hunter2');
    expect(err.message).toContain('mysql://khabar:***@db/khabar');
    expect(JSON.stringify(err.details)).not.toContain('hunter2');
  });
});

describe('redactUrlPassword', () => {
  it.each([
    ['postgres://u:p@h/db', 'postgres://u:***@h/db'],
    ['postgres://u@h/db', 'postgres://u@h/db'],
    ['not a url with @ secret', '(redacted)'],
    ['plain', 'plain'],
  ])('%s → %s', (input, output) => {
    expect(redactUrlPassword(input)).toBe(output);
  });
});
