import { employeeAttributeNames } from '@users-sync/api/domain/index';
import type { Employee, Store } from '@users-sync/api/store/index';

/** The directory of an organization as the comparison reads it: every employee, any status. */
export function directoryOf(store: Store, organizationId: string): Promise<Employee[]> {
  return store.employees.list(organizationId);
}

const label = (e: Employee) => `${e.email} (${e.entraObjectId ?? 'no Entra id'})`;

/**
 * Employee by employee, what `actual` (a directory that went through faults) gets wrong
 * compared with `reference` (a fault-free run on the same tenant): someone missing, someone
 * wrongly deactivated, someone active who should not be, an attribute that differs, a
 * duplicate. Inactive people the reference never saw are history, not differences.
 */
export function directoryDifferences(actual: readonly Employee[], reference: readonly Employee[]): string[] {
  const differences: string[] = [];
  const byEntraId = new Map<string, Employee>();
  for (const employee of actual) {
    const key = employee.entraObjectId ?? `record:${employee.id}`;
    if (byEntraId.has(key)) differences.push(`duplicate: ${label(employee)} is in the directory twice`);
    byEntraId.set(key, employee);
  }
  const activeEmails = new Map<string, Employee>();
  for (const employee of actual.filter((e) => e.status === 'active')) {
    const other = activeEmails.get(employee.email);
    if (other) differences.push(`duplicate: ${employee.email} is active twice (${other.entraObjectId} and ${employee.entraObjectId})`);
    activeEmails.set(employee.email, employee);
  }
  const expectedActive = new Set<string>();
  for (const expected of reference.filter((e) => e.status === 'active')) {
    const key = expected.entraObjectId ?? `record:${expected.id}`;
    expectedActive.add(key);
    const found = byEntraId.get(key);
    if (!found) {
      differences.push(`missing: ${label(expected)} is active in Entra's scope but not in the directory`);
      continue;
    }
    if (found.status !== 'active') differences.push(`wrongly deactivated: ${label(expected)}`);
    for (const name of employeeAttributeNames) {
      if (found[name] !== expected[name]) differences.push(`${name} of ${label(expected)}: ${JSON.stringify(found[name])}, a fault-free run says ${JSON.stringify(expected[name])}`);
    }
  }
  for (const employee of actual) {
    if (employee.status === 'active' && !expectedActive.has(employee.entraObjectId ?? `record:${employee.id}`)) {
      differences.push(`active but out of scope: ${label(employee)}`);
    }
  }
  return differences;
}

/** Differences between two states of the same directory (before and after a run that must change nothing). */
export function changedEmployees(before: readonly Employee[], after: readonly Employee[]): string[] {
  const was = new Map(before.map((e) => [e.id, e]));
  const differences: string[] = [];
  for (const employee of after) {
    const old = was.get(employee.id);
    if (!old) {
      differences.push(`added: ${label(employee)}`);
      continue;
    }
    if (old.status !== employee.status) differences.push(`${label(employee)} went ${old.status} → ${employee.status}`);
    for (const name of employeeAttributeNames) if (old[name] !== employee[name]) differences.push(`${name} of ${label(employee)} changed`);
  }
  for (const employee of before) if (!after.some((e) => e.id === employee.id)) differences.push(`removed: ${label(employee)}`);
  return differences;
}

/**
 * After a run that failed part way: every employee it touched must be whole (as the
 * fault-free run has them, active), and nobody may have been deactivated. Anything else
 * was half-applied.
 */
export function halfApplied(before: readonly Employee[], after: readonly Employee[], reference: readonly Employee[]): string[] {
  const was = new Map(before.map((e) => [e.id, e]));
  const expected = new Map(reference.map((e) => [e.entraObjectId, e]));
  const problems: string[] = [];
  for (const employee of after) {
    const old = was.get(employee.id);
    const touched = !old || old.status !== employee.status || employeeAttributeNames.some((name) => old[name] !== employee[name]);
    if (!touched) continue;
    if (old?.status === 'active' && employee.status !== 'active') {
      problems.push(`deactivated by a failed run: ${label(employee)}`);
      continue;
    }
    const whole = expected.get(employee.entraObjectId);
    if (!whole || whole.status !== 'active') {
      problems.push(`written by a failed run but not in a fault-free run: ${label(employee)}`);
      continue;
    }
    for (const name of employeeAttributeNames) if (employee[name] !== whole[name]) problems.push(`half-applied ${name} of ${label(employee)}`);
  }
  return problems;
}
