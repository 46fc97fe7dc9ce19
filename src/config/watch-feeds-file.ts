import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.js';

export interface WatchFeedsFileOptions {
  /** Events closer together than this are one change (an editor's save is several). Default 300 ms. */
  debounceMs?: number;
  logger?: Logger;
}

export interface FeedsFileWatcher {
  close(): void;
}

/**
 * Calls `onChange` once per burst of changes to the feeds file. The directory is watched as well as the file:
 * editors save by writing a temporary file and renaming it over the old one, and a Kubernetes ConfigMap swaps a
 * `..data` symlink beside it, so a watch on the file alone would keep following the replaced inode and hear nothing
 * more. Directory events are filtered by name; the file's own watch is re-armed after every burst for the same reason.
 * Nothing is read here: the caller reloads, and a spurious event costs one comparison.
 */
export function watchFeedsFile(file: string, onChange: () => void, options: WatchFeedsFileOptions = {}): FeedsFileWatcher {
  const debounceMs = options.debounceMs ?? 300;
  const log = options.logger;
  const dir = path.dirname(path.resolve(file));
  const base = path.basename(file);
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let fileWatcher: FSWatcher | null = null;

  function changed(): void {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(function feedsFileSettled() {
      timer = null;
      if (closed) return;
      armFileWatch();
      onChange();
    }, debounceMs);
  }

  function armFileWatch(): void {
    fileWatcher?.close();
    fileWatcher = null;
    try {
      fileWatcher = watch(file, { persistent: false }, changed);
      fileWatcher.on('error', () => {
        // The file was removed or replaced: the directory watch still hears its successor.
        fileWatcher?.close();
        fileWatcher = null;
      });
    } catch {
      // Missing for the moment (between an unlink and a rename): re-armed on the next directory event.
    }
  }

  let dirWatcher: FSWatcher | null = null;
  try {
    dirWatcher = watch(dir, { persistent: false }, function feedsDirEvent(_event, name) {
      // Some platforms give no name; `..data` is the symlink a ConfigMap update swaps.
      if (name === null || name === base || name === '..data') changed();
    });
    dirWatcher.on('error', (err) => {
      log?.warn({ dir, err }, 'feeds directory watch failed; reload with SIGHUP');
      dirWatcher?.close();
    });
  } catch (err) {
    log?.warn({ dir, err }, 'feeds directory cannot be watched; reload with SIGHUP');
  }
  armFileWatch();

  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      fileWatcher?.close();
      dirWatcher?.close();
    },
  };
}
