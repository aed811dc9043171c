/** The "Import compose…" dialog for tests: role and test-id locators, and the steps tests repeat. */
import { readFileSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';

/** The compose corpus the importer's own tests use. */
export function corpusFile(name: string): string {
  return readFileSync(new URL(`../../src/formats/compose-import/corpus/${name}`, import.meta.url), 'utf8');
}

export class ImportDialogPage {
  readonly openButton: Locator;
  readonly dialog: Locator;
  readonly composeText: Locator;
  readonly host: Locator;
  readonly envText: Locator;
  readonly statsText: Locator;
  readonly fileInput: Locator;
  readonly chooseButton: Locator;
  readonly dropZone: Locator;
  readonly status: Locator;
  readonly statsStatus: Locator;
  readonly issues: Locator;
  readonly refusal: Locator;
  readonly confirmButton: Locator;
  readonly cancelButton: Locator;

  constructor(readonly page: Page) {
    this.openButton = page.getByRole('button', { name: 'Import compose…' });
    this.dialog = page.getByRole('dialog', { name: 'Import compose…' });
    this.composeText = this.dialog.getByRole('textbox', { name: 'Compose file text' });
    this.host = this.dialog.getByRole('textbox', { name: 'Host RAM' });
    this.envText = this.dialog.getByRole('textbox', { name: '.env text' });
    this.statsText = this.dialog.getByRole('textbox', { name: 'docker stats output' });
    this.fileInput = this.dialog.getByLabel('Compose file to import');
    this.chooseButton = this.dialog.getByRole('button', { name: 'Choose a file…' });
    this.dropZone = this.dialog.getByTestId('compose-drop');
    this.status = this.dialog.getByTestId('import-status');
    this.statsStatus = this.dialog.getByTestId('stats-status');
    this.issues = this.dialog.getByTestId('import-issue');
    this.refusal = this.dialog.getByTestId('import-refusal');
    this.confirmButton = this.dialog.getByRole('button', { name: /^(Replace the plan|Add the observed usage)/ });
    this.cancelButton = this.dialog.getByRole('button', { name: 'Cancel' });
  }

  async open() {
    await this.openButton.click();
    await expect(this.dialog).toBeVisible();
    await expect(this.composeText).toBeFocused();
  }

  /**
   * Pastes compose text and waits until it has been read (recognised or refused). Replacing text
   * that was read, pass what the new read says: the previous read's words stay on screen until
   * the new one starts, and would end the wait early.
   */
  async paste(text: string, read: RegExp = /Recognised|not read|not a compose file/) {
    await this.composeText.fill(text);
    await expect(this.status).toHaveText(read);
  }

  row(service: string): Locator {
    return this.dialog.getByTestId(`import-row-${service}`);
  }

  kind(service: string): Locator {
    return this.dialog.getByTestId(`import-kind-${service}`);
  }

  observed(service: string): Locator {
    return this.dialog.getByTestId(`observed-${service}`);
  }

  /** Service and kind of every row the dialog lists, in order. */
  async kinds(): Promise<Array<[string, string]>> {
    const rows = await this.dialog.locator('[data-testid^="import-row-"]').all();
    const names = await Promise.all(rows.map(async (r) => (await r.getAttribute('data-testid'))!.replace('import-row-', '')));
    return Promise.all(names.map(async (n) => [n, (await this.kind(n).textContent()) ?? ''] as [string, string]));
  }

  /** Drops a file on the compose box, as a file manager would. */
  async drop(name: string, text: string) {
    const transfer = await this.page.evaluateHandle(([n, t]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], n, { type: 'application/yaml' }));
      return dt;
    }, [name, text] as const);
    await this.dropZone.dispatchEvent('dragover', { dataTransfer: transfer });
    await this.dropZone.dispatchEvent('drop', { dataTransfer: transfer });
  }

  async screenshot(name: string) {
    await this.page.screenshot({ path: `test-results/screenshots/${name}.png` });
  }
}
