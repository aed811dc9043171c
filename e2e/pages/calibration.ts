/** The calibration evidence in the Success criteria tab, for tests. */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';

export const CALIBRATED_KINDS = ['postgres', 'pgbouncer', 'redis', 'prometheus', 'fastapi', 'host', 'kernel'] as const;

/** The recorded cases per kind, read from calibration/<kind>.json as the page's data. */
export function recordedCases(kind: (typeof CALIBRATED_KINDS)[number]): string[] {
  const data = JSON.parse(readFileSync(new URL(`../../calibration/${kind}.json`, import.meta.url), 'utf8')) as { cases: Array<{ id: string }> };
  return data.cases.map((c) => c.id);
}

export class CalibrationPage {
  readonly section: Locator;
  readonly heading: Locator;
  readonly machine: Locator;
  readonly latency: Locator;

  constructor(readonly page: Page) {
    this.section = page.getByRole('region', { name: 'Model checked against real servers' });
    this.heading = page.getByRole('heading', { name: 'Model checked against real servers' });
    this.machine = page.getByTestId('calibration-machine');
    this.latency = page.getByTestId('calibration-latency');
  }

  summary(kind: string): Locator {
    return this.page.getByTestId(`calibration-summary-${kind}`);
  }

  caseRow(id: string): Locator {
    return this.page.getByTestId(`calibration-case-${id}`);
  }

  /** The measured cell of each case row, read in one round trip (null for a row that is missing). */
  measured(ids: readonly string[]): Promise<Array<string | null>> {
    return this.page.evaluate((list) => list.map((id) => document.querySelector(`[data-testid="calibration-case-${id}"] [data-testid="measured"]`)?.textContent ?? null), [...ids]);
  }

  cases(kind: string): Locator {
    return this.section.locator(`[data-kind="${kind}"]`);
  }
}
