import { resolve as resolvePath } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'
import type { Plugin } from 'vite'

// The strict CSP meta tag would block React Refresh's inline preamble under `electron-vite dev`;
// in dev, main sends a dev-only policy header instead. Built output keeps the tag.
const devCspPlugin: Plugin = {
  name: 'rampart-dev-csp',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/, '')
}

// Main and the CLI share one bundle graph so the CLI and the app run exactly the same services.
// The import aliases (@shared, @main, @renderer…) come from tsconfig `paths`: one table for every tool.
const resolve = { tsconfigPaths: true }

export default defineConfig({
  main: {
    resolve,
    build: {
      // Bundled rather than required from node_modules: the CLI's start-up otherwise spends most
      // of its time resolving and reading zod's and yaml's hundred-odd files (measured with
      // --cpu-prof, docs/benchmarks.md). Native and server-side packages stay external.
      externalizeDeps: { exclude: ['zod', 'yaml'] },
      rollupOptions: {
        input: {
          index: resolvePath(__dirname, 'src/main/electron/main.ts'),
          cli: resolvePath(__dirname, 'src/main/cli/index.ts'),
          // A worker thread's script of its own: guard-replay-segments.ts finds it beside the bundle.
          'replay-worker': resolvePath(__dirname, 'src/main/guards/replay-worker.ts')
        }
      }
    }
  },
  preload: {
    resolve,
    build: {
      rollupOptions: {
        input: { index: resolvePath(__dirname, 'src/preload/index.ts') }
      }
    }
  },
  renderer: {
    resolve,
    root: resolvePath(__dirname, 'src/renderer'),
    build: {
      rollupOptions: {
        input: { index: resolvePath(__dirname, 'src/renderer/index.html') }
      }
    },
    plugins: [react(), devCspPlugin]
  }
})
