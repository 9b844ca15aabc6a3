import { existsSync } from 'node:fs'
import { isIPv4 } from 'node:net'
import { join } from 'node:path'
import { RampartError } from '@shared/errors'
import { contentSecurityPolicy } from '@main/electron/content-security-policy'
import { findRendererDir } from '@main/electron/renderer-location'
import type { CliCommand } from '../cli-command'
import { flag, optionalInteger, optionalString } from '../cli-values'

export const serveCommand: CliCommand = {
  words: ['serve'],
  summary: 'Serve the console in a browser (loopback only unless --host is given)',
  usage:
    'rampart serve [--port N] [--host ADDRESS] [--json]\n' +
    '  Prints the address with its one-time token. Reach it from elsewhere through an SSH tunnel.',
  options: { port: { type: 'string' }, host: { type: 'string' } },
  async run({ values }, io, runtime) {
    const rendererDir = findRendererDir()
    if (!existsSync(join(rendererDir, 'index.html'))) {
      throw new RampartError(
        'failed',
        `the console is not built (${rendererDir} has no index.html); run "npm run build"`
      )
    }
    const context = await runtime.appContext()
    const { startBrowserServer } = await import('@main/transport/browser-server')
    const server = await startBrowserServer({
      handlers: context.handlers,
      producers: context.producers,
      rendererDir,
      contentSecurityPolicy,
      host: optionalString(values, 'host'),
      port: optionalInteger(values, 'port', 0, 65_535) ?? 0
    })
    // Listening for Ctrl-C before the address is printed: whoever reads that line may stop us at once.
    const stopRequested = waitForStopSignal()
    // Guards are watched from start-up, whether or not a page is open: pages only follow the supervision.
    const stopSupervision = context.services.supervisor.start()
    // Said on stderr by every command already (run-cli); kept in the JSON start line for tools.
    const warning = context.services.history.warning
    const host = optionalString(values, 'host')
    if (host !== undefined && !isLoopbackHost(host)) {
      io.stderr.write(
        `rampart: WARNING: --host ${host} makes the console reachable from other machines, over plain HTTP: ` +
          'the token in the URL and everything the console shows and does travel unencrypted. ' +
          'Prefer the default (127.0.0.1) and an SSH tunnel (docs/browser-mode.md).\n'
      )
    }
    if (flag(values, 'json')) {
      const workspace = context.workspace.file ?? 'built-in default'
      const started = { url: server.url, origin: server.origin, workspace, history: context.historyPath, warning }
      io.stdout.write(`${JSON.stringify(started)}\n`)
    } else {
      io.stdout.write(
        `Rampart console for ${context.workspace.file ?? 'the built-in default workspace'}\n` +
          `History: ${context.historyPath}\n\n` +
          'Guards: every enabled flag is watched from now on, with or without a page open.\n\n' +
          `Open (the token is shown only now):\n  ${server.url}\n\nCtrl-C stops it.\n`
      )
    }
    await stopRequested
    await stopSupervision()
    await server.close()
  }
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (bare === 'localhost' || bare === '::1') return true
  return isIPv4(bare) && bare.startsWith('127.')
}
