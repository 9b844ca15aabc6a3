// `rampart/layers`: every import is checked against the layer table, so a wrong arrow between
// folders fails `npm run lint` (in the spirit of VS Code's layering rule).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { LAYERS, PURE_FOLDER, PURE_PACKAGES } from './layer-table.mjs'

const root = path.resolve(import.meta.dirname, '..')

/** The import aliases, read from the tsconfig `paths` that the type-checker and the bundler use. */
const ALIASES = Object.fromEntries(
  ['tsconfig.node.json', 'tsconfig.web.json'].flatMap((file) =>
    Object.entries(JSON.parse(readFileSync(path.join(root, file), 'utf8')).compilerOptions.paths ?? {}).map(
      ([alias, [target]]) => [alias.replace(/\*$/, ''), target.replace(/\*$/, '')]
    )
  )
)

/** The repository-relative path an import names, or null for a package. */
function importedPath(fromFile, specifier) {
  for (const [alias, folder] of Object.entries(ALIASES)) {
    if (specifier.startsWith(alias)) return folder + specifier.slice(alias.length)
  }
  if (!specifier.startsWith('.')) return null
  return path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier))
}

function layerOf(file) {
  let best = null
  for (const [name, layer] of Object.entries(LAYERS)) {
    for (const folder of layer.folders) {
      const inside = file === folder || file.startsWith(`${folder}/`)
      if (inside && (best === null || folder.length > best.folder.length)) best = { name, folder }
    }
  }
  return best
}

/** `src/main/flags/core/x.ts` is pure: a `core` folder directly inside a layer's folder. */
function isPure(file, layer) {
  return layer !== null && file.startsWith(`${layer.folder}/${PURE_FOLDER}/`)
}

const layerRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the layer table in eslint/layer-table.mjs' },
    schema: []
  },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join('/')
    const from = layerOf(file)
    if (from === null) return {}
    const allowed = new Set([from.name, ...LAYERS[from.name].mayImport])
    const pure = isPure(file, from)

    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return
      const target = importedPath(file, specifier)
      if (target === null) {
        if (pure && !PURE_PACKAGES.includes(specifier)) {
          context.report({
            node,
            message:
              `${from.folder}/${PURE_FOLDER} is pure: "${specifier}" is not one of ${PURE_PACKAGES.join(', ')}; ` +
              'do I/O outside core/'
          })
        }
        return
      }
      const to = layerOf(target)
      if (to === null) return
      if (!allowed.has(to.name)) {
        context.report({
          node,
          message:
            `${from.folder} may not import ${to.folder} ("${specifier}"); ` +
            `the layer table (eslint/layer-table.mjs) allows ${[...allowed].join(', ')}`
        })
        return
      }
      if (pure && to.name !== 'shared' && !isPure(target, to)) {
        context.report({
          node,
          message:
            `${from.folder}/${PURE_FOLDER} is pure: ` +
            `it may import src/shared and other core/ folders, not "${specifier}"`
        })
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value)
    }
  }
}

export const layerPlugin = { rules: { layers: layerRule } }
