import type { ChildProcess } from 'node:child_process';

/**
 * Stops a child process the way an operator would: SIGTERM (a clean shutdown,
 * which also writes a --cpu-prof profile), then SIGKILL if it has not exited
 * after graceMs. Resolves with its exit code (null when a signal ended it).
 */
export async function stopChild(child: ChildProcess, exited: Promise<number | null>, graceMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
