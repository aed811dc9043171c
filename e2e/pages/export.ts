/** The export tab for tests: the file list, the preview, the tuned switch and the downloads. */
import { readFile } from 'node:fs/promises';
import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { unzipSync, strFromU8 } from 'fflate';
import { PlannerPage } from './planner.ts';

export class ExportPage {
  readonly planner: PlannerPage;
  readonly files: Locator;
  readonly preview: Locator;
  readonly tuned: Locator;
  readonly downloadAllButton: Locator;
  readonly refused: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.planner = new PlannerPage(page);
    this.files = page.getByRole('list', { name: 'Exported files' }).getByRole('listitem');
    this.preview = page.getByTestId('export-preview');
    this.tuned = page.getByRole('switch', { name: 'Tuned values' });
    this.downloadAllButton = page.getByRole('button', { name: 'Download all (.zip)' });
    this.refused = page.getByTestId('export-refused');
    this.status = page.getByTestId('export-status');
  }

  /** Opens the page (optionally a share link) on the Export tab, a file previewed. */
  async open(path = '/') {
    await this.planner.open(path);
    await this.planner.openTab('Export');
    await expect(this.preview).toBeVisible();
  }

  /** The names of the exported files, in order. */
  async paths(): Promise<string[]> {
    return this.page.getByRole('list', { name: 'Exported files' }).locator('button[aria-controls]').allTextContents();
  }

  /** Shows one file in the preview and returns its text. */
  async show(path: string): Promise<string> {
    await this.page.getByRole('button', { name: path, exact: true }).click();
    await expect(this.preview).toHaveAttribute('data-path', path);
    return (await this.preview.textContent()) ?? '';
  }

  /** Every file's preview, by path. */
  async previews(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const p of await this.paths()) out[p] = await this.show(p);
    return out;
  }

  private async saved(click: () => Promise<void>): Promise<{ download: Download; bytes: Buffer }> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), click()]);
    const path = await download.path();
    return { download, bytes: await readFile(path) };
  }

  /** Download all: the zip's name and its entries as text. */
  async downloadAll(): Promise<{ name: string; entries: Record<string, string> }> {
    const { download, bytes } = await this.saved(() => this.downloadAllButton.click());
    const entries = Object.fromEntries(Object.entries(unzipSync(new Uint8Array(bytes))).map(([k, v]) => [k, strFromU8(v)]));
    return { name: download.suggestedFilename(), entries };
  }

  /** Download one file from its row. */
  async downloadOne(path: string): Promise<{ name: string; text: string }> {
    const { download, bytes } = await this.saved(() => this.page.getByRole('button', { name: `Download ${path}`, exact: true }).click());
    return { name: download.suggestedFilename(), text: bytes.toString('utf8') };
  }

  async screenshot(name: string) {
    await this.page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
  }
}
