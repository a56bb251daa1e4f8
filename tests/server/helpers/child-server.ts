/**
 * Runs `server/main.ts` as a child process (as `npm start` does, minus the client build), for tests that need a
 * real process: kill -9, the start-up smoke test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  /** Resolves once the output matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Spawns the server and resolves once it prints its URL; rejects with its output if it exits first. */
export function spawnServer(env: Record<string, string>, timeoutMs = 60_000): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        const waitFor = (pattern: RegExp, ms = 30_000) =>
          new Promise<void>((done, fail) => {
            const started = Date.now();
            const poll = setInterval(() => {
              if (pattern.test(output)) {
                clearInterval(poll);
                done();
              } else if (Date.now() - started > ms || child.exitCode !== null) {
                clearInterval(poll);
                fail(new Error(`output never matched ${pattern}:\n${output}`));
              }
            }, 50);
          });
        resolve({ url: match[1], child, output: () => output, exited, waitFor });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${output}`));
    });
  });
}
