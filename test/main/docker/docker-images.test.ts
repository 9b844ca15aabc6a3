/** Image checks and pulls against the real engine (scripts/test-env/up.sh). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerEngine } from '@main/docker/docker-engine'
import { RampartError } from '@shared/errors'
import { connectTestEngine, freePort, NODE_FIXTURE_IMAGE, requireImage } from '@test/support/docker-test-env'

let engine: DockerEngine

beforeAll(async () => {
  engine = await connectTestEngine()
  await requireImage(engine, NODE_FIXTURE_IMAGE)
})

afterAll(() => {
  engine?.close()
})

describe('DockerEngine images', () => {
  it('reports whether an image exists', async () => {
    expect(await engine.imageExists(NODE_FIXTURE_IMAGE)).toBe(true)
    expect(await engine.imageExists('rampart-test/no-such-image:1')).toBe(false)
  })

  it('fails a pull from an unreachable registry with the engine’s reason, naming the image', async () => {
    const ref = `127.0.0.1:${await freePort()}/rampart-test/nothing:1`
    const progress: unknown[] = []
    const error = await engine.pullImage(ref, (step) => progress.push(step)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RampartError)
    expect((error as RampartError).message).toContain(ref)
    expect((error as RampartError).message).toMatch(/connection refused/)
  })
})
