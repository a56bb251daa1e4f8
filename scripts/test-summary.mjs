// Prints the plain closing line "N passed, N failed" from vitest's JSON report, after naming any test that passed
// only on a retry.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
try {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A test that passed with failure messages passed on a retry (the browser project retries once): name it.
  const retried = report.testResults.flatMap((file) =>
    file.assertionResults.filter((t) => t.status === 'passed' && (t.failureMessages ?? []).length > 0).map((t) => ({ file: file.name, test: t.fullName, first: t.failureMessages[0] })),
  );
  for (const r of retried) {
    console.log(`FLAKY (passed on a retry): ${r.file.replace(process.cwd() + '/', '')} > ${r.test}\n  first failure: ${r.first.split('\n')[0]}`);
  }
  if (retried.length > 0) console.log(`${retried.length} of the passed tests passed only on a retry (above)`);
  console.log(`Tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
} catch (error) {
  console.log(`Tests: could not read ${file}: ${error.message}`);
  process.exitCode = 1;
}
