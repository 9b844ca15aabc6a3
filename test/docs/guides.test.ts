/**
 * The guides in docs/guides are followed to the letter by newcomers: every command they quote
 * must exist with every option it is quoted with, every npm script must be in package.json, and
 * every screenshot and page they link must be in the repository.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { GLOBAL_OPTIONS } from '@main/cli/cli-command'
import { runCli } from '@main/cli/run-cli'

const ROOT = path.resolve(__dirname, '../..')
const GUIDES = path.join(ROOT, 'docs/guides')
const guideFiles = readdirSync(GUIDES)
  .filter((name) => name.endsWith('.md'))
  .map((name) => path.join(GUIDES, name))
const home = mkdtempSync(path.join(os.tmpdir(), 'rampart-guides-'))

afterAll(() => rmSync(home, { recursive: true, force: true }))

/** Splits a shell line into words the way sh would for the quoting the guides use. */
function shellWords(line: string): string[] {
  const words: string[] = []
  for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3] ?? '')
  return words
}

/** Each command line of each ```sh block, `&&` chains split. */
function quotedCommands(file: string): string[][] {
  const text = readFileSync(file, 'utf8')
  const commands: string[][] = []
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? '').split('\n')) {
      const code = line.replace(/\s+#.*$/, '').trim()
      if (code === '') continue
      for (const part of code.split('&&')) commands.push(shellWords(part.trim()))
    }
  }
  return commands
}

async function help(words: string[]): Promise<{ code: number; text: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let text = ''
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  const code = await runCli([...words, '--help'], {
    stdout,
    stderr,
    env: { RAMPART_HOME: home },
    cwd: home,
    isTty: false
  })
  return { code, text }
}

/** The help of the longest command the words name (a command takes positionals after its words). */
async function commandHelp(words: string[]): Promise<{ code: number; text: string }> {
  for (let count = Math.min(2, words.length); count > 0; count--) {
    const answer = await help(words.slice(0, count))
    if (answer.code === 0) return answer
  }
  return help(words.slice(0, 1))
}

const scripts = Object.keys(
  (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
)

describe.each(guideFiles.map((file) => [path.relative(ROOT, file), file]))('%s', (_name, file) => {
  const commands = quotedCommands(file)

  it('quotes at least one command', () => {
    expect(commands.length).toBeGreaterThan(0)
  })

  it('quotes only rampart commands that exist, with options they take', async () => {
    for (const command of commands) {
      const words = command[0] === 'npx' ? command.slice(1) : command
      if (words[0] !== 'rampart') continue
      const names = words
        .slice(1)
        .filter((word, index, all) => all.slice(0, index + 1).every((w) => !w.startsWith('-')))
      const answer = await commandHelp(names)
      expect(answer.code, `${command.join(' ')}\n${answer.text}`).toBe(0)
      for (const option of words.filter((word) => word.startsWith('--'))) {
        const name = option.replace(/=.*$/, '')
        const known = answer.text.includes(name) || name.slice(2) in GLOBAL_OPTIONS
        expect(known, `${command.join(' ')}: ${name} is not in its help:\n${answer.text}`).toBe(true)
      }
    }
  })

  it('quotes only npm scripts that exist', () => {
    for (const command of commands) {
      if (command[0] !== 'npm') continue
      const script = command[1] === 'run' ? command[2] : command[1]
      expect(scripts, command.join(' ')).toContain(script)
    }
  })

  it('links only images and pages that are in the repository', () => {
    const text = readFileSync(file, 'utf8')
    for (const [, target = ''] of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue
      expect(existsSync(path.resolve(path.dirname(file), target)), `${file} links ${target}`).toBe(true)
    }
  })
})
