/**
 * The built `rampart` executable on what an operator types wrong or a file gets wrong: command
 * groups without a command, bad flag values, a hostile workspace file, and serve on a
 * non-loopback address.
 */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { jsonLines, RAMPART_BIN, useSeedCliFolder } from '@test/fixtures/rampart-cli'
import { seedEnvText } from '@test/fixtures/service-workspace'

const FLAG = 'unified_llm_hub'
const GROUPS: Record<string, string[]> = {
  rollout: ['status', 'advance', 'back', 'rollback', 'kill', 'enable', 'adopt', 'watch'],
  flags: ['eval', 'list', 'get'],
  history: ['list', 'show', 'export', 'verify'],
  db: ['setup', 'status', 'migrate', 'repair', 'rollback', 'restore', 'verify'],
  guards: ['replay', 'watch'],
  runbook: ['list', 'resume', 'cancel'],
  demo: ['up', 'down']
}

const folder = useSeedCliFolder('rampart-cli-usage-')

const rampart = folder.rampart

describe('command groups', () => {
  for (const [group, commands] of Object.entries(GROUPS)) {
    it(`lists the commands of "${group}" on --help, on -h and with no command, and exits 0`, () => {
      for (const args of [[group, '--help'], [group, '-h'], [group]]) {
        const run = rampart(...args)
        expect(run.stderr, args.join(' ')).toBe('')
        expect(run.status, args.join(' ')).toBe(0)
        for (const command of commands) expect(run.stdout).toMatch(new RegExp(`rampart ${group} ${command}\\b`))
      }
    })
  }

  it('still refuses an unknown command of a group with exit 2', () => {
    const run = rampart('rollout', 'frobnicate')
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('unknown command "rollout frobnicate"')
  })
})

describe('a bad flag value on every read', () => {
  beforeEach(() => {
    writeFileSync(path.join(folder.dir, '.env'), seedEnvText('abc'))
  })

  it('flags list prints the flag with its error and exits 2', () => {
    const run = rampart('flags', 'list')
    expect(run.status).toBe(2)
    expect(run.stdout).toContain(
      `${FLAG}  [local]  unreadable: FEATURE_LLM_HUB_ROLLOUT=abc in ${path.join(folder.dir, '.env')}`
    )
    expect(run.stderr).toContain(`FEATURE_LLM_HUB_ROLLOUT=abc in ${path.join(folder.dir, '.env')} line 6`)
  })

  it('flags get --json prints the view with its error, and the error on stderr, and exits 2', () => {
    const run = rampart('flags', 'get', '--flag', FLAG, '--json')
    expect(run.status).toBe(2)
    expect(jsonLines(run.stdout)).toEqual([expect.objectContaining({ state: null, error: expect.anything() })])
    const error = JSON.parse(run.stderr) as { error: { code: string; message: string } }
    expect(error.error).toMatchObject({ code: 'bad_input', message: expect.stringContaining('line 6') })
  })
})

describe('a hostile workspace file', () => {
  it('refuses a YAML alias bomb naming the file, with exit 2', () => {
    const file = path.join(folder.dir, 'rampart.config.yaml')
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (const name of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) {
      const previous = String.fromCharCode(name.charCodeAt(0) - 1)
      levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`)
    }
    writeFileSync(file, `${levels.join('\n')}\n`)
    const run = rampart('flags', 'list')
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(file)
    expect(run.stderr).toMatch(/alias/i)
  })
})

/** `rampart serve` until it has printed its address; then SIGTERM. */
function serveUntilListening(args: string[]): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RAMPART_BIN, 'serve', '--port', '0', ...args], {
      cwd: folder.dir,
      env: { PATH: process.env.PATH ?? '', RAMPART_HOME: folder.home, RAMPART_ACTOR: 'cli-tester' }
    })
    let stdout = ''
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      if (stdout.includes('Ctrl-C stops it.')) child.kill('SIGTERM')
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.once('error', reject)
    child.once('close', (status) => {
      clearTimeout(timer)
      resolve({ stdout, stderr, status })
    })
  })
}

describe('rampart serve --host', () => {
  it('warns that a non-loopback address makes the console reachable from other machines over plain HTTP', async () => {
    const run = await serveUntilListening(['--host', '0.0.0.0'])
    expect(run.stdout).toContain('http://0.0.0.0:')
    expect(run.stderr).toMatch(/WARNING: .*0\.0\.0\.0.* reachable from other machines.*plain HTTP/)
    expect(run.status).toBe(0)
  })

  it('prints no such warning on a loopback address', async () => {
    const run = await serveUntilListening(['--host', '127.0.0.1'])
    expect(run.stdout).toContain('http://127.0.0.1:')
    expect(run.stderr).toBe('')
  })
})
