/**
 * How large the reliability suite runs. The default fits CI on a 2-core machine in a few
 * minutes; `RELIABILITY_SIZE=full` runs larger tenants, more churn and more property runs.
 */
export interface SuiteSize {
  name: 'ci' | 'full';
  /** Users of the generated tenant the fault scenarios sync. */
  users: number;
  groups: number;
  /** Entra changes made between a full and an incremental run. */
  churn: number;
  /** Sequences of Entra changes the property test tries, per scope. */
  propertyRuns: number;
  /** Longest sequence of changes (and syncs) the property test makes. */
  propertySteps: number;
  /** Whether the process and database scenarios run on both stores (SQLite and PostgreSQL) rather than one each. */
  everyStore: boolean;
}

const sizes: Record<SuiteSize['name'], SuiteSize> = {
  ci: { name: 'ci', users: 500, groups: 6, churn: 30, propertyRuns: 20, propertySteps: 14, everyStore: false },
  full: { name: 'full', users: 3000, groups: 30, churn: 400, propertyRuns: 60, propertySteps: 30, everyStore: true },
};

function chosenSize(): SuiteSize {
  const asked = process.env.RELIABILITY_SIZE ?? 'ci';
  if (asked !== 'ci' && asked !== 'full') throw new Error(`RELIABILITY_SIZE must be "ci" or "full" (got "${asked}")`);
  return sizes[asked];
}

export const suiteSize = chosenSize();
