import { runCli } from './run-cli'

// The `rampart` executable: everything else lives in run-cli and the services.
runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  isTty: process.stdout.isTTY === true
}).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`rampart: unexpected failure: ${String(error)}\n`)
    process.exitCode = 1
  }
)
