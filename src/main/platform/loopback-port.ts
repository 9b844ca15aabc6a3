import { createServer } from 'node:net'

/**
 * Whether nothing listens on 127.0.0.1:`port` right now, found by trying to listen there. Asked
 * before a container is created on that port, so "address in use" is reported as such instead of
 * a readiness check reaching whatever else answers there.
 */
export function isLoopbackPortFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false)
      else reject(error)
    })
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)))
  })
}
