/** Each test gets a fresh browser context (empty localStorage) and a planner page model. */
import { test as base, expect } from '@playwright/test';
import { PlannerPage } from './pages/planner.ts';

export const test = base.extend<{ planner: PlannerPage }>({
  planner: async ({ page }, use) => {
    await use(new PlannerPage(page));
  },
});

export { expect };
