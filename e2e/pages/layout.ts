/** Page-layout checks for tests: does anything scroll the page sideways, or get cut off by its box? */
import type { Locator, Page } from '@playwright/test';

/** The page's scroll width against the viewport's width. */
export async function pageWidth(page: Page): Promise<{ scrollWidth: number; viewport: number }> {
  return page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, viewport: window.innerWidth }));
}

/**
 * Boxes whose content is wider than they are without being a scroller of their own: content a
 * panel cuts off (panels contain their paint, so a cut shows nowhere else). Scroll regions (a file
 * preview), chart drawings and visually hidden text are left out.
 */
export async function clippedBoxes(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      const cs = getComputedStyle(el);
      if (cs.overflowX !== 'visible' || cs.display === 'inline' || cs.display === 'contents' || cs.display === 'none') continue;
      if (el.closest('svg, pre, .visually-hidden, thead') || el.clientWidth < 8) continue;
      if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}: ${el.scrollWidth} > ${el.clientWidth} px`);
    }
    return out;
  });
}

/** The right edge of an element, in CSS pixels from the viewport's left. */
export async function rightEdge(element: Locator): Promise<number> {
  const box = await element.boundingBox();
  if (!box) throw new Error('the element is not laid out');
  return box.x + box.width;
}
