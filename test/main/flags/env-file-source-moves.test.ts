/**
 * A rollout move written through the env-file source, for generated files: whatever else the
 * file holds (comments, other variables in any quoting, CRLF, `export`, no final newline, the
 * flag's variables anywhere or missing), the bytes of every line but the target's stay as they
 * were, on disk.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EnvFileFlagSource } from '@main/flags/env-file-source'
import { EnvFileDocument } from '@main/flags/core/env-file-document'
import { SEED_FLAG_ENV_MAPPING } from '@main/flags/core/flag-env-mapping'
import type { FlagPatch } from '@main/flags/flag-source'

const FLAG = 'unified_llm_hub'
const ROLLOUT = SEED_FLAG_ENV_MAPPING.rollout_percentage
const ENABLED = SEED_FLAG_ENV_MAPPING.enabled

let folder: string
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'rampart-env-moves-'))
})
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const ending = fc.constantFrom('\n', '\r\n')
const lineText = fc.string({ maxLength: 16, unit: 'grapheme' }).filter((text) => !/[\r\n]/.test(text))
// Other variables never start with FEATURE_, so they cannot be the flag's.
const otherKey = fc.stringMatching(/^[a-z_][A-Za-z0-9_.-]{0,8}$/)
const quoted = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_@%+=:,./-]{0,12}$/),
  lineText.filter((text) => !text.includes("'")).map((text) => `'${text}'`),
  lineText.map((text) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`)
)
const otherLine = fc.oneof(
  fc.constantFrom('', '   ', '\t'),
  lineText.map((text) => `# ${text}`),
  fc
    .tuple(
      fc.constantFrom('', 'export ', '  '),
      otherKey,
      fc.constantFrom('=', ' = '),
      quoted,
      fc.constantFrom('', ' # x')
    )
    .map(([prefix, key, equals, value, comment]) => `${prefix}${key}${equals}${value}${comment}`)
)
const flagLine = (key: string, values: string[]) =>
  fc
    .tuple(fc.constantFrom('', 'export '), fc.constantFrom(...values), fc.constantFrom('none', 'single', 'double'))
    .map(([prefix, value, quoting]) => {
      const written = quoting === 'none' ? value : quoting === 'single' ? `'${value}'` : `"${value}"`
      return `${prefix}${key}=${written}`
    })

/** A file as lines with their endings; the flag's two variables at random places, or missing. */
const envFile = fc
  .tuple(
    fc.array(fc.tuple(otherLine, ending), { maxLength: 12 }),
    fc.option(flagLine(ENABLED, ['true', '1', 'yes']), { nil: undefined }),
    fc.option(flagLine(ROLLOUT, ['0', '10', '25', '50']), { nil: undefined }),
    fc.nat(),
    fc.nat(),
    fc.boolean()
  )
  .map(([others, enabled, rollout, enabledAt, rolloutAt, finalNewline]) => {
    const lines = others.map(([text, end]) => ({ text, end }))
    if (enabled !== undefined) lines.splice(enabledAt % (lines.length + 1), 0, { text: enabled, end: '\n' })
    if (rollout !== undefined) lines.splice(rolloutAt % (lines.length + 1), 0, { text: rollout, end: '\r\n' })
    return lines.map(({ text, end }, index) => text + (index === lines.length - 1 && !finalNewline ? '' : end)).join('')
  })
  .filter((text) => {
    try {
      EnvFileDocument.parse(text, 'generated')
      return true
    } catch {
      return false
    }
  })

const move = fc.constantFrom<FlagPatch>(
  { rollout_percentage: 10 },
  { rollout_percentage: 25 },
  { rollout_percentage: 100 },
  { rollout_percentage: 0 },
  { enabled: false }
)

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The file's lines with their endings (the text split after each LF). */
function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? []
}

describe('a move written to an env file', () => {
  it('changes only the target variable’s bytes, and appends it when the file lacks it', async () => {
    let round = 0
    await fc.assert(
      fc.asyncProperty(envFile, move, async (text, patch) => {
        const path = join(folder, `.env-${round++}`)
        writeFileSync(path, text)
        const source = new EnvFileFlagSource({ path, flags: { [FLAG]: SEED_FLAG_ENV_MAPPING } })
        const before = await source.read(FLAG, { forKill: true })
        await source.write(FLAG, patch, before.revision, { forKill: true })

        const after = readFileSync(path, 'utf8')
        const target = patch.enabled === undefined ? ROLLOUT : ENABLED
        const targetLine = EnvFileDocument.parse(text, path).getValue(target)?.line
        const oldLines = linesOf(text)
        const newLines = linesOf(after)
        const appended = newLines.length - oldLines.length
        expect(appended).toBe(targetLine === undefined && appended === 1 ? 1 : 0)
        oldLines.forEach((line, index) => {
          if (index + 1 === targetLine) return
          // Appending to a file without a final newline first ends its last line.
          if (appended === 1 && index === oldLines.length - 1 && !line.endsWith('\n'))
            expect(newLines[index]).toMatch(new RegExp(`^${escape(line)}\\r?\\n$`))
          else expect(newLines[index]).toBe(line)
        })
        if (appended === 1) expect(newLines.at(-1)).toMatch(new RegExp(`^(export )?${target}=`))
        const state = (await source.read(FLAG)).state
        if (patch.enabled === false) expect(state.enabled).toBe(false)
        else expect(state.rollout_percentage).toBe(patch.rollout_percentage)
        rmSync(path)
      }),
      { numRuns: 150 }
    )
  })
})
