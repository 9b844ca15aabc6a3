import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const eslint = new ESLint({ cwd: ROOT })

/** The layer-rule messages `npm run lint` would print for `code` saved as `file`. */
async function layerProblems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${file}` })
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'rampart/layers')
    .map((message) => message.message)
}

describe('the layer table in npm run lint', () => {
  it('refuses an arrow the table does not allow: flags may not import guards', async () => {
    const problems = await layerProblems(
      'src/main/flags/wrong-arrow.ts',
      "import { GuardService } from '@main/guards/guard-service'\nexport const service = GuardService\n"
    )
    expect(problems).toEqual([expect.stringContaining('src/main/flags may not import src/main/guards')])
  })

  it('refuses a lower layer reaching up through a relative path', async () => {
    const problems = await layerProblems(
      'src/main/transport/wrong-arrow.ts',
      "export { createAppContext } from '../app/app-context'\n"
    )
    expect(problems).toEqual([expect.stringContaining('src/main/transport may not import src/main/app')])
  })

  it('allows an arrow the table lists: rollouts may import flags', async () => {
    const problems = await layerProblems(
      'src/main/rollouts/right-arrow.ts',
      "import { FlagService } from '@main/flags/flag-service'\nexport const service = FlagService\n"
    )
    expect(problems).toEqual([])
  })

  it('keeps core/ pure: no file system, and no part of a feature outside core/', async () => {
    const problems = await layerProblems(
      'src/main/flags/core/impure.ts',
      "import { readFileSync } from 'node:fs'\n" +
        "import { FlagService } from '../flag-service'\n" +
        'export const both = [readFileSync, FlagService]\n'
    )
    expect(problems).toEqual([
      expect.stringContaining('src/main/flags/core is pure: "node:fs"'),
      expect.stringContaining('src/main/flags/core is pure: it may import src/shared and other core/ folders')
    ])
  })

  it('lets core/ import shared and the core of a layer below', async () => {
    const problems = await layerProblems(
      'src/main/rollouts/core/pure.ts',
      "import { RampartError } from '@shared/errors'\n" +
        "import { flagBucket } from '@main/flags/core/flag-bucket'\n" +
        'export const both = [RampartError, flagBucket]\n'
    )
    expect(problems).toEqual([])
  })

  it('keeps the renderer to the contract: no import of main', async () => {
    const problems = await layerProblems(
      'src/renderer/src/wrong-arrow.ts',
      "import { FlagService } from '@main/flags/flag-service'\nexport const service = FlagService\n"
    )
    expect(problems).toEqual([expect.stringContaining('src/renderer may not import src/main/flags')])
  })

  it('keeps renderer features apart: the Flags page may not reach into the rollout feature', async () => {
    const problems = await layerProblems(
      'src/renderer/src/flags/WrongArrow.tsx',
      "import { RolloutPanel } from '@renderer/rollouts/RolloutPanel'\nexport const panel = RolloutPanel\n"
    )
    expect(problems).toEqual([
      expect.stringContaining('src/renderer/src/flags may not import src/renderer/src/rollouts')
    ])
  })
})
