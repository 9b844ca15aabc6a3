// Copies the screenshots the guides show (docs/guides/*.md, `images/NAME.png`) from the end-to-end
// tests' artefacts (test-results/NAME.png) into docs/guides/images, so the guides show the console
// as the tests last saw it. Run after `npm test`; names a screenshot no test saved.
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const guides = path.join(root, 'docs/guides')
const results = path.join(root, 'test-results')
let missing = 0
for (const file of readdirSync(guides).filter((name) => name.endsWith('.md'))) {
  const text = readFileSync(path.join(guides, file), 'utf8')
  for (const match of text.matchAll(/\]\(images\/([\w.-]+\.png)\)/g)) {
    const source = path.join(results, match[1])
    if (!existsSync(source)) {
      console.error(`docs/guides/${file}: no test saved ${path.relative(root, source)}`)
      missing++
      continue
    }
    copyFileSync(source, path.join(guides, 'images', match[1]))
  }
}
process.exitCode = missing === 0 ? 0 : 1
