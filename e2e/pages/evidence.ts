/** Evidence on the page, for tests: the "Add evidence…" button, its file input, each row's observed line. */
import type { Locator, Page } from '@playwright/test';

export class EvidencePage {
  readonly button: Locator;
  readonly fileInput: Locator;

  constructor(readonly page: Page) {
    this.button = page.getByRole('button', { name: 'Add evidence…' });
    this.fileInput = page.getByTestId('evidence-file');
  }

  /** Gives the page a file as the evidence input would get it. */
  async add(name: string, text: string): Promise<void> {
    await this.fileInput.setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  }

  line(service: string): Locator {
    return this.page.getByTestId(`observed-line-${service}`);
  }

  oom(service: string): Locator {
    return this.page.getByTestId(`oom-${service}`);
  }
}
