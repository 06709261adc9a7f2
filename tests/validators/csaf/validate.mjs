// ossdesk's tests run the BSI/Secvisogram CSAF validator through this script (see tests/validators/csaf.py).
// It reads one CSAF 2.0 document per line on stdin and answers one JSON line per document:
// {test name: {"errors": [...], "warnings": [...]}} for each test that reported something, among the strict
// schema test, every mandatory test (6.1.x) and every recommended test (6.2.x) of the library.
// One process serves a whole test process (or, with --socket, a whole run): loading the library costs
// seconds, a document milliseconds.
import net from 'node:net'
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

async function answer(line) {
  try {
    return await check(line)
  } catch (error) {
    return { crashed: { errors: [{ message: String(error), instancePath: '' }], warnings: [] } }
  }
}

// One document per line in, one report per line out, in order.
async function serve(input, output) {
  for await (const line of readline.createInterface({ input })) {
    if (!line.trim()) continue
    output.write(JSON.stringify(await answer(line)) + '\n')
  }
}

const socketAt = process.argv.indexOf('--socket')
if (socketAt === -1) {
  process.stdout.write(JSON.stringify({ ready: tests.length }) + '\n')
  await serve(process.stdin, process.stdout)
} else {
  // `--socket PATH`: one process for a whole scripts/run_tests.py run, each test process a connection of its
  // own (loading the library compiles its schemas: seconds of CPU, paid once instead of once per process).
  // It stops when stdin closes, so it never outlives the run that started it.
  const server = net.createServer((connection) => {
    connection.setEncoding('utf8')
    connection.write(JSON.stringify({ ready: tests.length }) + '\n')
    serve(connection, connection).catch(() => connection.destroy())
  })
  server.listen(process.argv[socketAt + 1], () => {
    process.stdout.write(JSON.stringify({ ready: tests.length }) + '\n')
  })
  process.stdin.resume()
  process.stdin.on('end', () => server.close(() => process.exit(0)))
}
