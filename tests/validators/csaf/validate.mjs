// ossdesk's tests run the BSI/Secvisogram CSAF validator through this script (see tests/validators/csaf.py).
// It reads one CSAF 2.0 document per line on stdin and answers one JSON line per document:
// {test name: {"errors": [...], "warnings": [...]}} for each test that reported something, among the strict
// schema test, every mandatory test (6.1.x) and every recommended test (6.2.x) of the library.
// One process serves a whole test run: loading the library costs seconds, a document milliseconds.
import readline from 'node:readline'
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js'
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
import * as recommended from '@secvisogram/csaf-validator-lib/optionalTests.js'
import { csaf_2_0_strict } from '@secvisogram/csaf-validator-lib/schemaTests.js'

const tests = [csaf_2_0_strict, ...Object.values(mandatory), ...Object.values(recommended)]

async function check(line) {
  const result = await validateStrict(tests, JSON.parse(line))
  const report = {}
  for (const test of result.tests) {
    if (test.errors.length || test.warnings.length) {
      report[test.name] = { errors: test.errors, warnings: test.warnings }
    }
  }
  return report
}

process.stdout.write(JSON.stringify({ ready: tests.length }) + '\n')
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (!line.trim()) continue
  let answer
  try {
    answer = await check(line)
  } catch (error) {
    answer = { crashed: { errors: [{ message: String(error), instancePath: '' }], warnings: [] } }
  }
  process.stdout.write(JSON.stringify(answer) + '\n')
}
