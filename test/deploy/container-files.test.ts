import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envVariables, loadEnv } from '../../src/config/env.js';
import { loadFeedsFile } from '../../src/config/feeds-file.js';
import { repoRoot } from '../helpers/run-cli.js';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

interface ComposeService {
  image?: string;
  command?: string[];
  profiles?: string[];
  build?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

describe('docker-compose.yml and Dockerfile agree with the code', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
  const khabar = compose.services.khabar;
  const pg = compose.services.postgres;

  it('has postgres with a named volume and a pg_isready health check, and khabar waiting for it', () => {
    expect(pg.image).toMatch(/^postgres:/);
    const dataVolume = pg.volumes!.find((v) => v.endsWith(':/var/lib/postgresql/data'))!;
    expect(Object.keys(compose.volumes)).toContain(dataVolume.split(':')[0]);
    expect(pg.healthcheck!.test.join(' ')).toContain('pg_isready');
    expect(khabar.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('sets only environment variables khabar reads, with values it accepts', () => {
    const env = khabar.environment!;
    for (const name of Object.keys(env)) expect(envVariables).toContain(name);
    const parsed = loadEnv(env);
    const db = new URL(parsed.databaseUrl!);
    expect(db.hostname).toBe('postgres');
    expect(decodeURIComponent(db.username)).toBe(pg.environment!.POSTGRES_USER);
    expect(decodeURIComponent(db.password)).toBe(pg.environment!.POSTGRES_PASSWORD);
    expect(db.pathname).toBe(`/${pg.environment!.POSTGRES_DB}`);
    expect(khabar.ports).toContain(`${parsed.port}:${parsed.port}`);
  });

  it('mounts a config directory read-only, holding a valid feeds.yaml where FEEDS_FILE points', async () => {
    // A directory, not the file: a file renamed over feeds.yaml on the host must reach the container (live reload).
    const feedsFile = khabar.environment!.FEEDS_FILE;
    const mount = khabar.volumes!.find((v) => feedsFile.startsWith(`${v.split(':')[1]}/`))!;
    expect(mount).toBeDefined();
    const [source, target, mode] = mount.split(':');
    expect(mode).toBe('ro');
    expect(source).not.toMatch(/\.ya?ml$/);
    const hostFile = path.join(repoRoot, source, path.posix.relative(target, feedsFile));
    expect(existsSync(hostFile)).toBe(true);
    await expect(loadFeedsFile(hostFile)).resolves.toBeTruthy();
    // The compose copy is the shipped list: one list to maintain, edited in both places.
    expect(readFileSync(hostFile, 'utf8'), `${path.relative(repoRoot, hostFile)} must equal feeds.yaml`).toBe(read('feeds.yaml'));
  });

  it('builds the image from a Dockerfile that runs the compiled CLI as a non-root user', () => {
    expect(khabar.build).toBe('.');
    const dockerfile = read('Dockerfile');
    const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string>; scripts: Record<string, string> };
    expect(dockerfile).toMatch(/^FROM node:20-slim/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    const cmd = dockerfile.match(/^CMD (\[.*\])$/m)!;
    const argv = JSON.parse(cmd[1]) as string[];
    expect(argv).toEqual(['node', pkg.bin.khabar, 'start']);
    // The compiled entry point is where tsc puts src/cli.ts.
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { outDir: string; rootDir: string } };
    expect(path.normalize(pkg.bin.khabar)).toBe(path.join(build.compilerOptions.outDir, 'src/cli.js'));
    for (const copied of ['drizzle', 'feeds.yaml', 'src', 'tsconfig.json', 'tsconfig.build.json']) {
      const copyLines = dockerfile.split('\n').filter((l) => l.startsWith('COPY ') && !l.includes('--from'));
      expect(copyLines.some((l) => l.split(/\s+/).slice(1, -1).includes(copied))).toBe(true);
      expect(existsSync(path.join(repoRoot, copied))).toBe(true);
    }
    expect(dockerfile).toMatch(/EXPOSE 3000/);
  });

  it('has an optional worker service for scaling: the same image, environment and config as khabar, running `worker`', () => {
    const worker = compose.services.worker;
    const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string> };
    expect(worker.image).toBe(khabar.image);
    expect(worker.profiles).toEqual(['workers']);
    expect(worker.command).toEqual(['node', pkg.bin.khabar, 'worker']);
    expect(worker.depends_on).toEqual(khabar.depends_on);
    expect(worker.volumes).toEqual(khabar.volumes);
    expect(worker.ports).toBeUndefined();
    const env = worker.environment!;
    const known = new Set<string>(envVariables);
    for (const name of Object.keys(env)) expect(known.has(name), name).toBe(true);
    for (const [name, value] of Object.entries(env)) if (name !== 'METRICS_PORT') expect(khabar.environment![name], name).toBe(value);
    expect(loadEnv(env).metricsPort).toBe(9464);
    expect(() => loadEnv(env)).not.toThrow();
  });

  it('is a valid compose file for docker-compose', () => {
    const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.warn('docker-compose is not installed: skipping its offline validation (CI installs it)');
      return;
    }
    execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '--quiet'], { cwd: repoRoot });
  });
});
