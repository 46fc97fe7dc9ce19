import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchFeedsFile, type FeedsFileWatcher } from '../../src/config/watch-feeds-file.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchFeedsFile', () => {
  let dir: string;
  let file: string;
  let watcher: FeedsFileWatcher | null;
  let calls: number;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'khabar-watch-'));
    file = path.join(dir, 'feeds.yaml');
    writeFileSync(file, 'feeds: []\n');
    calls = 0;
    watcher = null;
  });
  afterEach(() => {
    watcher?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (target = file) => {
    watcher = watchFeedsFile(target, () => calls++, { debounceMs: 100 });
  };

  /** Waits for the debounce to settle, with room for a loaded machine. */
  async function settled(expected: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (calls < expected && Date.now() < deadline) await sleep(50);
    await sleep(400);
  }

  it('calls once for an edit in place', async () => {
    start();
    writeFileSync(file, 'feeds: [1]\n');
    writeFileSync(file, 'feeds: [1, 2]\n');
    await settled(1);
    expect(calls).toBe(1);
  });

  it('calls once per rename over the file, again after the inode was replaced', async () => {
    start();
    for (const round of [1, 2, 3]) {
      writeFileSync(path.join(dir, '.feeds.yaml.tmp'), `feeds: [${round}]\n`);
      renameSync(path.join(dir, '.feeds.yaml.tmp'), file);
      await settled(round);
      expect(calls).toBe(round);
    }
  });

  it('ignores other files in the directory', async () => {
    start();
    writeFileSync(path.join(dir, 'notes.txt'), 'x');
    writeFileSync(path.join(dir, 'other.yaml'), 'x');
    await sleep(600);
    expect(calls).toBe(0);
  });

  it('hears a Kubernetes ConfigMap update (the ..data symlink swapped)', async () => {
    // The layout kubelet writes: feeds.yaml → ..data/feeds.yaml, ..data → a timestamped directory.
    mkdirSync(path.join(dir, '..2026_01'));
    writeFileSync(path.join(dir, '..2026_01', 'feeds.yaml'), 'feeds: [1]\n');
    symlinkSync('..2026_01', path.join(dir, '..data'));
    const linked = path.join(dir, 'config.yaml');
    symlinkSync('..data/feeds.yaml', linked);
    start(linked);
    mkdirSync(path.join(dir, '..2026_02'));
    writeFileSync(path.join(dir, '..2026_02', 'feeds.yaml'), 'feeds: [2]\n');
    symlinkSync('..2026_02', path.join(dir, '..data_tmp'));
    renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    await settled(1);
    expect(calls).toBe(1);
  });

  it('stops calling once closed', async () => {
    start();
    watcher!.close();
    writeFileSync(file, 'feeds: [3]\n');
    await sleep(500);
    expect(calls).toBe(0);
  });
});
