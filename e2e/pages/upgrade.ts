/** The upgrade-path tab for tests: the tiers, their prices and costs, the chart and the before/after table. */
import { expect, type Locator, type Page } from '@playwright/test';
import { PlannerPage } from './planner.ts';

export class UpgradePage {
  readonly planner: PlannerPage;
  readonly tiers: Locator;
  readonly chart: Locator;
  readonly compareTable: Locator;
  readonly beforePreset: Locator;
  readonly capacitySummary: Locator;
  readonly moveUp: Locator;

  constructor(readonly page: Page) {
    this.planner = new PlannerPage(page);
    this.tiers = page.getByTestId('tiers').getByRole('article');
    this.chart = page.getByRole('figure', { name: /Memory against active users/ });
    const beforeAfter = page.getByRole('region', { name: 'Before and after' });
    this.compareTable = beforeAfter.getByRole('table');
    this.beforePreset = beforeAfter.getByRole('combobox', { name: 'Before' });
    this.capacitySummary = page.getByTestId('capacity-summary');
    this.moveUp = page.getByRole('textbox', { name: /Move up at/ });
  }

  /** Opens the page (optionally a share link) on the Upgrade path tab, tiers drawn. */
  async open(path = '/') {
    await this.planner.open(path);
    await this.planner.openTab('Upgrade path');
    await expect(this.tiers.first()).toBeVisible();
  }

  /** One tier's card by its host size as the page writes it: `4 GiB`. */
  tier(ram: string): Locator {
    return this.page.getByRole('article', { name: `${ram} host` });
  }

  users(ram: string): Locator {
    return this.tier(ram).getByTestId(/^tier-users-/);
  }

  /** A tier's vCPUs (in its title) and the CPU its re-tuned stack uses at the users it carries. */
  cpus(ram: string): Locator {
    return this.tier(ram).getByTestId(/^tier-cpus-/);
  }

  cpu(ram: string): Locator {
    return this.tier(ram).getByTestId(/^tier-cpu-/);
  }

  /** A tier's editable vCPUs (its default until typed in). */
  cpusInput(ram: string): Locator {
    return this.page.getByRole('textbox', { name: `vCPUs of the ${ram} host` });
  }

  async setCpus(ram: string, text: string) {
    await this.cpusInput(ram).fill(text);
  }

  /** The button that puts a tier's vCPUs back to its default. */
  cpusDefault(ram: string): Locator {
    return this.tier(ram).getByRole('button', { name: new RegExp(`vCPUs of the ${ram} host back to the default`) });
  }

  cost(ram: string): Locator {
    return this.tier(ram).getByTestId(/^tier-cost-/);
  }

  price(ram: string): Locator {
    return this.page.getByRole('textbox', { name: `Price per month of the ${ram} host` });
  }

  async setPrice(ram: string, text: string) {
    await this.price(ram).fill(text);
  }

  /** A row of the before/after table by its label: [label, before, after, change]. */
  async compareRow(label: string): Promise<string[]> {
    const row = this.compareTable.getByRole('row').filter({ has: this.page.getByRole('rowheader', { name: label, exact: true }) });
    return (await row.getByRole('cell').allTextContents()).map((t) => t.trim());
  }

  async screenshot(name: string) {
    await this.page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
  }
}
