import { readFileSync } from 'node:fs';

/**
 * CPU time (ms) a process has used so far: its main thread, and all its other threads (workers,
 * GC and libuv helpers; a process's count keeps a thread's time after it ends). Unlike wall time,
 * this holds on a loaded machine.
 */
export function processCpuMs(pid: number): { main: number; others: number } {
  const ticks = (path: string): number => {
    const stat = readFileSync(path, 'utf8');
    // Fields after the `(comm)`: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ is 100 on Linux
  };
  const all = ticks(`/proc/${pid}/stat`);
  const main = ticks(`/proc/${pid}/task/${pid}/stat`);
  return { main, others: all - main };
}

/** The CPU a process used while `body` ran. */
export async function cpuDuring<T>(pid: number, body: () => Promise<T>): Promise<{ value: T; main: number; others: number }> {
  const before = processCpuMs(pid);
  const value = await body();
  const after = processCpuMs(pid);
  return { value, main: after.main - before.main, others: after.others - before.others };
}
