import fs from 'node:fs';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The last lines of a log file, for error messages about a child that failed. */
export function tailOf(file: string, lines = 30, maxBytes = 16 * 1024): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const length = Math.min(size, maxBytes);
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, size - length);
      return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '(log file unreadable)';
  }
}

// Children must not outlive the parent. `exit` covers normal ends, process.exit() and uncaught
// exceptions. For signals we only act when nobody else listens: then the default would have been
// to die, so we clean up and re-raise. If the app has its own handler, it owns shutdown, and
// `exit` remains the backstop. SIGKILL of the parent cannot be caught.
const cleanups = new Set<() => void>();
let hooksInstalled = false;

function runAll(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // best effort: the process is going away
    }
  }
  cleanups.clear();
}

/** Runs `cleanup` (kill a child, remove its files) when this process ends; returns an unregister. */
export function onParentExit(cleanup: () => void): () => void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.on('exit', runAll);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const onSignal = (): void => {
        if (process.listenerCount(signal) > 1) return;
        runAll();
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      };
      process.on(signal, onSignal);
    }
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
