// Prints one plain closing line ("tests: N passed, N failed, N skipped") that CI tooling can read
// regardless of jest's own summary layout.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numRuntimeErrorTestSuites } = results;
    const failed = numFailedTests + numRuntimeErrorTestSuites;
    process.stdout.write(`\ntests: ${numPassedTests} passed, ${failed} failed, ${numPendingTests + numTodoTests} skipped\n`);
    // On 2 cores jest runs the files in its own process, and code still running after its file
    // ended (jest prints "torn down" or "Cannot log after tests are done" where it happened) sets
    // the exit code without failing a test: say so, or the run fails with nothing failed.
    if (failed === 0 && process.exitCode) {
      process.stdout.write(`tests: exit code ${process.exitCode} although no test failed: code ran on after its test file ended (see "torn down" or "Cannot log after tests are done" above)\n`);
    }
  }
}
module.exports = SummaryReporter;
