import type { Reporter, SerializedError, TestModule } from 'vitest/node'

/**
 * Ends the run with one plain line, "tests: N passed, N failed", that CI and people can read
 * without knowing vitest's own format. A test that never finished (its file crashed) counts as
 * "not run" and an error outside any test is counted too: neither may pass for a green run.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0
    let failed = 0
    let notRun = 0
    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests()) {
        const state = testCase.result().state
        if (state === 'passed') passed += 1
        else if (state === 'failed') failed += 1
        else notRun += 1
      }
      if (testModule.state() === 'failed' && testModule.children.size === 0) failed += 1
    }
    const extra = [
      ...(notRun > 0 ? [`${notRun} not run`] : []),
      ...(unhandledErrors.length > 0 ? [`${unhandledErrors.length} errors outside tests`] : [])
    ]
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${extra.map((part) => `, ${part}`).join('')}\n`)
  }
}
