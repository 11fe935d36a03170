import { configDefaults, defineConfig } from 'vitest/config';

// Vitest's defaults, minus Stryker's sandboxes (`pnpm test:mutation` copies the package into
// .stryker-tmp/ while it runs; an interrupted run can leave one behind).
export default defineConfig({
  test: { exclude: [...configDefaults.exclude, '.stryker-tmp/**'] },
});
