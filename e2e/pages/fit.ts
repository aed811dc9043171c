/** "Fit everything" for tests: the button above the plan, the diff it shows, apply and close. */
import { expect, type Locator, type Page } from '@playwright/test';
import { PlannerPage } from './planner.ts';

export class FitPage {
  readonly planner: PlannerPage;
  readonly launcher: Locator;
  readonly panel: Locator;
  readonly verdict: Locator;
  readonly changes: Locator;
  readonly closeButton: Locator;

  constructor(readonly page: Page) {
    this.planner = new PlannerPage(page);
    this.launcher = page.getByRole('button', { name: 'Fit everything…' });
    this.panel = page.getByRole('region', { name: 'Fit everything' });
    this.verdict = this.panel.getByTestId('fit-verdict');
    this.changes = this.panel.getByTestId('fit-change');
    this.closeButton = this.panel.getByRole('button', { name: 'Close' });
  }

  /** Presses the button and waits for the fit (its chunk loads on the first press). */
  async open() {
    await this.launcher.click();
    // The fit's chunk (engine fit, plan-file writer) loads on this first press; under load it
    // waits like the services table's chunk (planner.loaded), once, for this one element.
    await expect(this.verdict).toBeVisible({ timeout: 15_000 });
  }

  /** The button that applies the diff shown (on this host, or on the bigger host it offers). */
  applyButton(): Locator {
    return this.panel.getByRole('button', { name: /apply all \d+ changes?/i });
  }

  /** The diff's lines, as shown. */
  async lines(): Promise<string[]> {
    return (await this.changes.allTextContents()).map((t) => t.trim());
  }
}
