/** CPU per request by thread and process, from /proc, and the server's peak RSS. */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuPerRequest {
  /** The server's JavaScript thread: HTTP, Nest, validation, ORM, JSON. */
  serverMain: number;
  /** The server's other threads: libuv's pool (argon2) and V8's helpers (GC, compiler). */
  serverOther: number;
  /** mariadbd and redis-server, when running on this machine. */
  databases: number;
  /** This process: autocannon and the loops. */
  loadGenerator: number;
  /** Everything else the machine's CPUs did meanwhile (kernel threads, interrupts, other processes). */
  rest: number;
  /**
   * Steal: time the hypervisor gave this VM's busy CPUs to someone else. Not CPU the machine
   * spent, but time its work waited for, so it costs throughput as CPU does.
   */
  steal: number;
}

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of one /proc stat line, in ms (the fields after the parenthesised name). */
function statCpuMs(path: string): number {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
  } catch {
    return 0; // the thread or process ended meanwhile
  }
}

function pidsOf(name: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

interface CpuSample {
  serverMain: number;
  serverAll: number;
  databases: number;
  loadGenerator: number;
  /** Busy time of all CPUs and steal, from /proc/stat. */
  machine: MachineTime;
}

export interface MachineTime {
  /** user + nice + system + irq + softirq, in ms. */
  busy: number;
  steal: number;
}

/** The aggregate line of /proc/stat, in ms. */
export function machineTime(): MachineTime {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return {
    busy: (user + nice + system + irq + softirq) * CLOCK_TICK_MS,
    steal: steal * CLOCK_TICK_MS,
  };
}

export function sampleCpu(serverPid: number): CpuSample {
  const tasks = readdirSync(`/proc/${serverPid}/task`);
  const serverAll = tasks.reduce(
    (sum, tid) => sum + statCpuMs(`/proc/${serverPid}/task/${tid}/stat`),
    0,
  );
  const databases = [...pidsOf('mariadbd'), ...pidsOf('redis-server')].reduce(
    (sum, pid) => sum + statCpuMs(`/proc/${pid}/stat`),
    0,
  );
  const self = process.cpuUsage();
  return {
    serverMain: statCpuMs(`/proc/${serverPid}/task/${serverPid}/stat`),
    serverAll,
    databases,
    loadGenerator: (self.user + self.system) / 1000,
    machine: machineTime(),
  };
}

export function cpuPerRequest(
  before: CpuSample,
  after: CpuSample,
  requests: number,
): CpuPerRequest {
  const per = (ms: number) => Math.round((ms / Math.max(1, requests)) * 100) / 100;
  const main = after.serverMain - before.serverMain;
  const server = after.serverAll - before.serverAll;
  const databases = after.databases - before.databases;
  const loadGenerator = after.loadGenerator - before.loadGenerator;
  return {
    serverMain: per(main),
    serverOther: per(server - main),
    databases: per(databases),
    loadGenerator: per(loadGenerator),
    rest: per(
      Math.max(0, after.machine.busy - before.machine.busy - server - databases - loadGenerator),
    ),
    steal: per(after.machine.steal - before.machine.steal),
  };
}

export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}
