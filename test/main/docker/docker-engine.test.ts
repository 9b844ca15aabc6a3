/**
 * The engine handle itself: connect, ping and every call fail with 'unreachable' within the 2 s
 * bound when nothing (or nothing that answers) is at the endpoint. No Docker engine is needed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer as createNetServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { DockerEngine } from '@main/docker/docker-engine'
import { freePort } from '@test/support/docker-test-env'
import { expectRampartError, NodeTestContainers } from '@test/support/node-test-containers'

describe('an unreachable engine', () => {
  let closedPort: number
  const servers: Server[] = []
  const sockets: Socket[] = []
  const children: ChildProcess[] = []

  beforeAll(async () => {
    closedPort = await freePort()
  })

  afterAll(() => {
    for (const server of servers) server.close()
    for (const socket of sockets) socket.destroy()
    for (const child of children) child.kill('SIGKILL')
  })

  it('fails connect on a closed TCP port with unreachable and the endpoint', { timeout: 5_000 }, async () => {
    await expectRampartError(
      DockerEngine.connect(`tcp://127.0.0.1:${closedPort}`),
      'unreachable',
      new RegExp(
        `^Docker engine at tcp://127\\.0\\.0\\.1:${closedPort} is not reachable \\(connection refused\\)\\. Is Docker running\\?$`
      )
    )
  })

  it('fails connect on a socket path that does not exist', { timeout: 5_000 }, async () => {
    const path = join(tmpdir(), 'rampart-no-such-dir', 'docker.sock')
    await expectRampartError(
      DockerEngine.connect(path),
      'unreachable',
      new RegExp(`^Docker engine at unix://${path} is not reachable \\(no socket at ${path}\\)`)
    )
  })

  it('fails every kind of call the same way', { timeout: 5_000 }, async () => {
    const gone = DockerEngine.forHost(`tcp://127.0.0.1:${closedPort}`)
    const calls: Array<Promise<unknown>> = [
      gone.listContainers(),
      gone.inspectContainer('x'),
      gone.startContainer('x'),
      gone.stopContainer('x', { timeoutSeconds: 1 }),
      gone.restartContainer('x', { timeoutSeconds: 1 }),
      gone.createContainer(new NodeTestContainers().spec('gone', '0')),
      gone.exec('x', ['true']),
      readAllFrom(gone, 'x'),
      gone.imageExists('node:18'),
      gone.pullImage('node:18')
    ]
    for (const call of calls) await expectRampartError(call, 'unreachable', /is not reachable \(connection refused\)/)
  })

  it('fails an ssh:// engine on a closed port the same way', { timeout: 5_000 }, async () => {
    await expectRampartError(
      DockerEngine.connect(`ssh://nobody@127.0.0.1:${closedPort}`),
      'unreachable',
      /^Docker engine at ssh:\/\/nobody@127\.0\.0\.1:\d+ is not reachable \(connection refused\)/
    )
  })

  it('bounds the ssh handshake with a host that accepts but never speaks ssh', { timeout: 5_000 }, async () => {
    const server = createNetServer((socket) => sockets.push(socket))
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const silent = DockerEngine.forHost(`ssh://nobody@127.0.0.1:${port}`)
    await expectRampartError(
      silent.inspectContainer('x'),
      'unreachable',
      /is not reachable \(the ssh handshake did not finish within 2 s\)/
    )
    silent.close()
  })

  it('bounds a ping to an engine that accepts but never answers', { timeout: 5_000 }, async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rampart-hung-')), 'docker.sock')
    const server = createNetServer((socket) => sockets.push(socket))
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(path, resolve))
    await expectRampartError(
      DockerEngine.connect(`unix://${path}`),
      'unreachable',
      /is not reachable \(no answer within 2 s\)/
    )
  })

  it('bounds the connection itself when the engine’s listener never accepts', { timeout: 5_000 }, async () => {
    // A listener whose event loop is blocked: the kernel's accept queue (backlog 1) fills up and
    // further connection attempts hang, as with an engine host that drops packets.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('net').createServer(); s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () =>
           process.stdout.write(s.address().port + '\\n', () =>
             Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)))`
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    children.push(child)
    const port = await new Promise<number>((resolve) =>
      child.stdout!.once('data', (data: Buffer) => resolve(Number(String(data).trim())))
    )
    for (let filler = 0; filler < 4; filler += 1) {
      const socket = netConnect(port, '127.0.0.1')
      socket.on('error', () => undefined)
      sockets.push(socket)
    }
    const hung = DockerEngine.forHost(`tcp://127.0.0.1:${port}`)
    await expectRampartError(hung.inspectContainer('x'), 'unreachable', /is not reachable \(no connection within 2 s\)/)
    hung.close()
  })
})

async function readAllFrom(from: DockerEngine, name: string): Promise<void> {
  for await (const batch of from.logs(name)) void batch
}
