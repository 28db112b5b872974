import { ReliabilityReport } from './reliability-report';
import path from 'node:path';
import { startEmulator, type RunningEmulator, type TenantSummary } from '@users-sync/emulator/index';
import { testCertificateDir } from '../../../support/dev-certificate-path';
import type { ScenarioRecord } from './reliability-report';
import { suiteSize } from './suite-size';

/**
 * One file of the suite: its emulator, started before the file's tests and closed after
 * them, and its report, written (and its path printed) when they end.
 */
export function reliabilityFile(name: string): { report: ReliabilityReport; readonly emulator: RunningEmulator } {
  const report = new ReliabilityReport(name);
  let started: RunningEmulator | undefined;
  beforeAll(async () => {
    started = await startReliabilityEmulator();
  });
  afterAll(async () => {
    await started?.close();
    console.log(`reliability report: ${report.write()}`);
  });
  return {
    report,
    get emulator() {
      if (!started) throw new Error('The reliability emulator starts in beforeAll: use it inside a test.');
      return started;
    },
  };
}

/** An in-process emulator (HTTPS, no latency model: faults add the waiting) with no tenant yet. */
export function startReliabilityEmulator(): Promise<RunningEmulator> {
  return startEmulator({ port: 0, host: '127.0.0.1', dataDir: path.dirname(testCertificateDir), logLevel: 'silent', users: 0, groups: 0, seed: 1, tenant: 'none' });
}

/** A generated company at the suite's size: `arsen` nested, disabled accounts, guests, mailbox-less accounts, managers. */
export function companyTenant(emulator: RunningEmulator, seed: number, users = suiteSize.users): Promise<TenantSummary> {
  return emulator.control.createTenant({ users, groups: suiteSize.groups, seed, nestingDepth: 3, disabledShare: 0.05, guestShare: 0.04, noMailboxShare: 0.03 });
}

/** The mix: 10 % 429 with Retry-After, 5 % 503, 2 % dropped connections, and latency spikes. */
export const graphFaultMix = { throttleShare: 0.1, unavailableShare: 0.05, dropShare: 0.02, retryAfterSeconds: 0.3, spikeShare: 0.05, spikeMs: 1500 };

/** Adds what the emulator forced (answers how many faults it forced) on the tenant since its counters were reset to the scenario's report. */
export async function recordForcedFaults(emulator: RunningEmulator, tenantId: string, scenario: ScenarioRecord): Promise<number> {
  const counters = await emulator.control.counters(tenantId);
  scenario.note(`${counters.requests} Graph requests`);
  scenario.fault('429 (forced)', counters.forcedFaults.throttled);
  scenario.fault('429 (resource units)', counters.throttled - counters.forcedFaults.throttled);
  scenario.fault('503/504 (forced)', counters.forcedFaults.unavailable);
  scenario.fault('dropped connections', counters.forcedFaults.dropped);
  return counters.forcedFaults.throttled + counters.forcedFaults.unavailable + counters.forcedFaults.dropped;
}
