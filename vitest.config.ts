import { defineConfig } from 'vitest/config'

export default defineConfig({
  // The import aliases (@shared, @main, @test…) come from tsconfig `paths`: one table for every tool.
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e tests start real processes; two cores cannot run many at once.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts']
  }
})
