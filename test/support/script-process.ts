import { spawn } from 'node:child_process';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { onParentExit } from '../../tools/dev/child-processes';

const ROOT = path.resolve(__dirname, '../..');

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** SIGKILL to every process of the group; a group already gone is fine. */
function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: nothing of the tree is left.
  }
}

/**
 * Runs a TypeScript entry point of the project (`tools/bench/run.ts`, `tools/chaos/run.ts`) as `npm run`
 * does and returns what it printed. Must be called inside a test. The script runs as the leader
 * of its own process group, which the dev server, API and workers it starts join; the whole group
 * is killed when the test ends, whatever the outcome (a timeout, a failed assertion), and when
 * this process exits, so nothing of it outlives the test.
 */
export function runScript(script: string, args: string[]): Promise<ScriptRun> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: process.env,
    detached: true,
  });
  const pgid = child.pid;
  if (pgid !== undefined) {
    const unregister = onParentExit(() => killGroup(pgid));
    onTestFinished(() => {
      killGroup(pgid);
      unregister();
    });
  }
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    // `close`, not `exit`: all of its output has been read by then.
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
