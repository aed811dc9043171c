/** A multi-host plan on the page (issue 14): uploading it, each host's card, the Upgrade path's multi-host options. */
import { expect, type Locator, type Page } from '@playwright/test';
import { PlannerPage } from './planner.ts';

export class HostsPage {
  readonly planner: PlannerPage;
  readonly cards: Locator;
  readonly multiHost: Locator;

  constructor(readonly page: Page) {
    this.planner = new PlannerPage(page);
    this.cards = page.getByTestId('host-card');
    this.multiHost = page.getByTestId('multi-host');
  }

  /** Opens the page and uploads `text` as a plan file. */
  async upload(text: string, name = 'split.yaml') {
    await this.planner.open();
    await this.page.getByLabel('Plan file to upload').setInputFiles({ name, mimeType: 'application/yaml', buffer: Buffer.from(text) });
    await expect(this.cards.first()).toBeVisible();
  }

  /** One host's card by its name. */
  card(name: string): Locator {
    return this.page.locator(`[data-testid="host-card"][data-host="${name}"]`);
  }

  /** The card's figures as text: free, least free, risk level, services, findings. */
  async figures(name: string) {
    const c = this.card(name);
    return {
      free: (await c.getByTestId('host-card-free').textContent()) ?? '',
      least: (await c.getByTestId('host-card-free-least').textContent()) ?? '',
      risk: (await c.getByTestId('host-card-risk').textContent()) ?? '',
      services: (await c.getByTestId('host-card-services').textContent()) ?? '',
      findings: (await c.getByTestId('host-card-findings').textContent()) ?? '',
      cpus: (await c.getByTestId('host-card-cpus').textContent()) ?? '',
      cpu: (await c.getByTestId('host-card-cpu').textContent()) ?? '',
    };
  }

  /** The Upgrade path tab's multi-host options, each row's cells as text. */
  async options(): Promise<string[][]> {
    await this.planner.openTab('Upgrade path');
    await expect(this.multiHost).toBeVisible({ timeout: 30_000 });
    return this.rows();
  }

  /** The multi-host options' rows as they are now (the Upgrade path tab open). */
  rows(): Promise<string[][]> {
    return this.multiHost.getByRole('row').evaluateAll((rows) => rows.slice(1).map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent ?? '')));
  }

  /** Types a price into the tier card of tier `index` (0: the smallest host). */
  async setTierPrice(index: number, text: string) {
    await this.page.getByTestId(`tier-price-${index}`).fill(text);
  }
}
