// Prints vitest's totals as the plain closing line CI reads ("N passed, N failed, N skipped"),
// and fails when no test ran at all.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(process.argv[2], "utf8"));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
if (report.numTotalTests === 0) {
  console.error("no test ran");
  process.exit(1);
}
process.exit(report.numFailedTests === 0 ? 0 : 1);
