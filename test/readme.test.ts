import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envVariables } from '../src/config/env.js';
import { parseFeedsConfig } from '../src/config/feeds-file.js';
import { repoRoot } from './helpers/run-cli.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it('shows a feeds.yaml that khabar accepts, with the documented defaults', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)![1];
    const config = parseFeedsConfig(yaml, 'README.md');
    expect(config.feeds[0].id).toBe('aljazeera');
    expect(config.settings.schedule).toBe('*/10 * * * *');
    expect(config.settings.dedupWindowHours).toBe(72);
  });

  it('documents every environment variable khabar reads', () => {
    for (const name of envVariables) expect(readme).toContain(`| \`${name}\``);
  });

  it('shows the two commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
