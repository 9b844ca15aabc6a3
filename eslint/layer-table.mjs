// Which folder may import which: the layering of Rampart, read by the `rampart/layers` lint rule.
// A folder not named here is outside the table (tests, bench, scripts). Lower layers come first;
// a layer may import only the layers it lists (and itself). Arrows never point up, so there is
// no cycle between folders.

const FOUNDATION = ['shared', 'platform']
const RENDERER_BASE = ['shared', 'renderer-contract', 'renderer-format']
const RENDERER_FEATURES = [
  'renderer-format',
  'renderer-contract',
  'renderer-runbooks',
  'renderer-guards',
  'renderer-rollouts',
  'renderer-emergency',
  'renderer-flags',
  'renderer-history',
  'renderer-logs',
  'renderer-review',
  'renderer-database',
  'renderer-containers'
]

/** Layer name -> the folders it covers (most specific first), and what it may import. */
export const LAYERS = {
  shared: { folders: ['src/shared'], mayImport: [] },
  platform: { folders: ['src/main/platform'], mayImport: ['shared'] },
  // The contract's dispatch, streams and bindings: features import it for their handler types.
  transport: { folders: ['src/main/transport'], mayImport: FOUNDATION },
  workspace: { folders: ['src/main/workspace'], mayImport: [...FOUNDATION, 'transport'] },
  history: { folders: ['src/main/history'], mayImport: [...FOUNDATION, 'transport'] },
  docker: { folders: ['src/main/docker'], mayImport: [...FOUNDATION, 'workspace', 'history', 'transport'] },
  flags: { folders: ['src/main/flags'], mayImport: [...FOUNDATION, 'workspace', 'history', 'transport'] },
  rollouts: {
    folders: ['src/main/rollouts'],
    mayImport: [...FOUNDATION, 'workspace', 'history', 'transport', 'docker', 'flags']
  },
  runbooks: {
    folders: ['src/main/runbooks'],
    mayImport: [...FOUNDATION, 'workspace', 'history', 'transport', 'docker', 'flags', 'rollouts']
  },
  database: {
    folders: ['src/main/database'],
    mayImport: [...FOUNDATION, 'workspace', 'history', 'transport', 'docker', 'runbooks']
  },
  guards: {
    folders: ['src/main/guards'],
    mayImport: [...FOUNDATION, 'workspace', 'history', 'transport', 'docker', 'flags', 'rollouts', 'runbooks']
  },
  // The reviewer's view: rollouts cut from history, charts and reports; history alone, nothing live.
  review: { folders: ['src/main/review'], mayImport: [...FOUNDATION, 'history', 'transport'] },
  demo: {
    folders: ['src/main/demo'],
    mayImport: [...FOUNDATION, 'workspace', 'history', 'transport', 'docker', 'flags', 'runbooks', 'database']
  },
  app: {
    folders: ['src/main/app'],
    mayImport: [
      ...FOUNDATION,
      'workspace',
      'history',
      'transport',
      'docker',
      'flags',
      'rollouts',
      'runbooks',
      'database',
      'guards',
      'demo',
      'review'
    ]
  },
  electron: { folders: ['src/main/electron'], mayImport: [...FOUNDATION, 'transport', 'app'] },
  cli: {
    folders: ['src/main/cli'],
    mayImport: [
      ...FOUNDATION,
      'workspace',
      'history',
      'transport',
      'docker',
      'flags',
      'rollouts',
      'runbooks',
      'database',
      'guards',
      'demo',
      'review',
      'app',
      'electron'
    ]
  },
  preload: { folders: ['src/preload'], mayImport: ['shared'] },

  // The renderer, grouped by page and feature the same way: it reaches main only through the
  // contract (src/shared and the bridge in contract/).
  renderer: { folders: ['src/renderer'], mayImport: ['shared', 'preload', ...RENDERER_FEATURES, 'renderer-app'] },
  'renderer-format': { folders: ['src/renderer/src/format'], mayImport: ['shared'] },
  'renderer-contract': { folders: ['src/renderer/src/contract'], mayImport: ['shared', 'preload'] },
  'renderer-runbooks': { folders: ['src/renderer/src/runbooks'], mayImport: RENDERER_BASE },
  'renderer-guards': { folders: ['src/renderer/src/guards'], mayImport: RENDERER_BASE },
  'renderer-rollouts': { folders: ['src/renderer/src/rollouts'], mayImport: [...RENDERER_BASE, 'renderer-guards'] },
  'renderer-emergency': { folders: ['src/renderer/src/emergency'], mayImport: [...RENDERER_BASE, 'renderer-runbooks'] },
  'renderer-flags': { folders: ['src/renderer/src/flags'], mayImport: RENDERER_BASE },
  'renderer-history': { folders: ['src/renderer/src/history'], mayImport: RENDERER_BASE },
  'renderer-logs': { folders: ['src/renderer/src/logs'], mayImport: RENDERER_BASE },
  // The reviewer's page draws windows as the live guards do, and a runbook event's steps as they ran.
  'renderer-review': {
    folders: ['src/renderer/src/review'],
    mayImport: [...RENDERER_BASE, 'renderer-guards', 'renderer-runbooks']
  },
  'renderer-database': { folders: ['src/renderer/src/database'], mayImport: [...RENDERER_BASE, 'renderer-runbooks'] },
  'renderer-containers': { folders: ['src/renderer/src/containers'], mayImport: RENDERER_BASE },
  'renderer-app': { folders: ['src/renderer/src/app'], mayImport: [...RENDERER_BASE, ...RENDERER_FEATURES] }
}

/**
 * The pure part of a feature is its `core/` folder: plain data in, plain data out. It may import
 * `src/shared` and the `core/` of the layers its feature may import, and no package but these.
 */
export const PURE_FOLDER = 'core'
export const PURE_PACKAGES = ['zod', 'node:path', 'node:crypto', 'node:util', 'node:buffer', 'node:string_decoder']
