/**
 * The demo ops-center service (resources/demo/ops-center/server.js) as a child process on
 * 127.0.0.1 with a port of its own choosing (DEMO_PORT=0), for tests that need the real flag API
 * and its traffic without Docker. Its stdout is collected as parsed JSON lines.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const DEMO_SERVER = fileURLToPath(new URL('../../resources/demo/ops-center/server.js', import.meta.url))
export const DEMO_ENV_TEMPLATE = fileURLToPath(new URL('../../resources/demo/ops-center.env', import.meta.url))
const START_TIMEOUT_MS = 15_000

export type DemoEvent = Record<string, unknown>

export interface DemoServiceProcess {
  baseUrl: string
  port: number
  child: ChildProcess
  envFile: string
  /** Every JSON line written to stdout so far, in order. */
  events: DemoEvent[]
  /** stdout lines that were not JSON. */
  otherLines: string[]
  stderr(): string
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>
  /** SIGTERM, then waits for the exit; removes the temporary folder. */
  stop(): Promise<number | null>
}

/** Starts the service with `envText` as its env file and `env` added to its environment. */
export async function startDemoService(envText: string, env: Record<string, string> = {}): Promise<DemoServiceProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-demo-'))
  const envFile = path.join(dir, '.env')
  writeFileSync(envFile, envText)
  const child = spawn(process.execPath, [DEMO_SERVER], {
    env: { PATH: process.env.PATH ?? '', DEMO_ENV_FILE: envFile, DEMO_HOST: '127.0.0.1', DEMO_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const events: DemoEvent[] = []
  const otherLines: string[] = []
  let stdoutRest = ''
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (chunk: string) => {
    const lines = (stdoutRest + chunk).split('\n')
    stdoutRest = lines.pop() ?? ''
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as DemoEvent)
      } catch {
        otherLines.push(line)
      }
    }
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const cleanUp = (): void => rmSync(dir, { recursive: true, force: true })

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`the demo service did not report its port within ${START_TIMEOUT_MS / 1000} s; stderr: ${stderr}`)
        ),
      START_TIMEOUT_MS
    )
    const onData = (): void => {
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)
      if (match !== null) {
        clearTimeout(timer)
        child.stderr!.off('data', onData)
        resolve(Number(match[1]))
      }
    }
    child.stderr!.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`the demo service exited with ${code} before listening; stderr: ${stderr}`))
    })
  }).catch((error: unknown) => {
    cleanUp()
    throw error
  })

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    child,
    envFile,
    events,
    otherLines,
    stderr: () => stderr,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const code = await exited
      cleanUp()
      return code
    }
  }
}

/** Runs the service to its end, for start-up failures: exit code and stderr (killed if it starts after all). */
export function runDemoServiceToExit(
  envText: string,
  env: Record<string, string> = {}
): Promise<{ code: number | null; stderr: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-demo-'))
  const envFile = path.join(dir, '.env')
  writeFileSync(envFile, envText)
  const child = spawn(process.execPath, [DEMO_SERVER], {
    env: { PATH: process.env.PATH ?? '', DEMO_ENV_FILE: envFile, DEMO_HOST: '127.0.0.1', DEMO_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => (stderr += chunk))
  // A service that does start is stopped, so a test expecting a failure fails instead of hanging.
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS)
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer)
      rmSync(dir, { recursive: true, force: true })
      resolve({ code, stderr })
    })
  })
}

/** Polls `check` every 50 ms until it returns a value, failing after `timeoutMs` with what it waited for. */
export async function eventually<T>(what: string, check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
