// Node test-runner reporter that prints one closing line: "N passed, N failed[, N skipped]".
// Only leaf tests count; suites (describe blocks) are containers, not tests.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  for await (const { type, data } of source) {
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    if (data.details?.type === 'suite') {
      // A suite fails on its own only when a hook (before/after) threw.
      if (type === 'test:fail' && data.details?.error?.failureType === 'hookFailed') {
        failed++;
        failures.push(`${data.name} (hook)`);
      }
      continue;
    }
    if (data.skip || data.todo) skipped++;
    else if (type === 'test:pass') passed++;
    else {
      failed++;
      failures.push(data.name);
    }
  }
  if (failures.length) yield `\nFailed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`;
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}
