/** SIGHUPs caught while a service process starts, before runService installs its own handler. */
export interface HeldHangups {
  /** Stops catching (call it once another SIGHUP listener is installed); true when at least one SIGHUP arrived. */
  release(): boolean;
}

/**
 * Catches SIGHUP from now on and remembers that one arrived. Node's default for SIGHUP is to end the process, and a
 * service reads its config, loads its modules and opens its database before runService listens for it: an operator's
 * or a config reloader's SIGHUP in that second must become a reload once the service is up, not kill it.
 * No imports: the entry module calls it before anything else is loaded.
 */
export function holdHangups(): HeldHangups {
  let received = false;
  const onHangupWhileStarting = () => {
    received = true;
  };
  process.on('SIGHUP', onHangupWhileStarting);
  return {
    release() {
      process.off('SIGHUP', onHangupWhileStarting);
      return received;
    },
  };
}
