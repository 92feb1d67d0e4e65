import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { onParentExit, sleep, tailOf } from '../dev/child-processes';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The service's API or worker as its own OS process, so it can be killed with SIGKILL (or any
 * other TypeScript entry point that prints "is running" once it serves: `script`).
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private unregister: (() => void) | undefined;
  private exited: Promise<void> = Promise.resolve();
  starts = 0;

  /** The running process's id (undefined before start). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * `script`: a TypeScript entry point and its arguments, run through tsx (the service's own by
   * default). `built`: the service as the image runs it, `node dist/main.js <role>` (needs `npm
   * run build`). `nodeArgs`: Node's own options, before either.
   */
  constructor(
    readonly role: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
    private readonly script: string[] = [path.join(ROOT, 'src/main.ts'), role],
    private readonly run: { built?: boolean; nodeArgs?: readonly string[] } = {},
  ) {}

  async start(): Promise<void> {
    this.starts += 1;
    const fd = fs.openSync(this.logFile, 'a');
    const entry = this.run.built ? [path.join(ROOT, 'dist/main.js'), this.role] : ['--require', 'tsx/cjs', ...this.script];
    const child = spawn(process.execPath, [...(this.run.nodeArgs ?? []), ...entry], {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', fd, fd],
    });
    fs.closeSync(fd);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.unregister = onParentExit(() => child.kill('SIGKILL'));
    await this.waitUntilRunning(child);
  }

  /** Started when the process has printed its banner ("is running"). */
  private async waitUntilRunning(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the ${this.role} process exited during start-up:\n${tailOf(this.logFile)}`);
      if (fs.readFileSync(this.logFile, 'utf8').split('is running').length > this.starts) return;
      if (Date.now() > deadline) throw new Error(`the ${this.role} process did not start in 120 s:\n${tailOf(this.logFile)}`);
      await sleep(200);
    }
  }

  /** SIGKILL: no shutdown, in-flight work simply stops, as in a crash. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.unregister?.();
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  async stop(): Promise<void> {
    this.child?.kill('SIGTERM');
    await Promise.race([this.exited, sleep(10_000)]);
    await this.kill();
  }
}
