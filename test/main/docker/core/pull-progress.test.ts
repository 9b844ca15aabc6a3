import { describe, expect, it } from 'vitest'
import { PullProgressTracker } from '@main/docker/core/pull-progress'

describe('PullProgressTracker', () => {
  it('sums downloaded bytes over layers and counts finished layers', () => {
    const tracker = new PullProgressTracker('postgres:15')
    tracker.update({ status: 'Pulling from library/postgres', id: '15' })
    tracker.update({ status: 'Pulling fs layer', id: 'a' })
    tracker.update({ status: 'Already exists', id: 'b' })
    tracker.update({ status: 'Downloading', id: 'a', progressDetail: { current: 50, total: 200 } })
    expect(tracker.update({ status: 'Pulling fs layer', id: 'c' })).toEqual({
      image: 'postgres:15',
      status: 'Pulling fs layer',
      layers: 3,
      layersDone: 1,
      bytesDone: 50,
      bytesTotal: 200
    })
    tracker.update({ status: 'Downloading', id: 'c', progressDetail: { current: 10, total: 100 } })
    tracker.update({ status: 'Download complete', id: 'a' })
    tracker.update({ status: 'Pull complete', id: 'a' })
    expect(tracker.snapshot()).toMatchObject({ layers: 3, layersDone: 2, bytesDone: 210, bytesTotal: 300 })
  })

  it('does not count image-level statuses as layers', () => {
    const tracker = new PullProgressTracker('node:18')
    tracker.update({ status: 'Pulling from library/node', id: '18' })
    tracker.update({ status: 'Digest: sha256:abc' })
    const last = tracker.update({ status: 'Status: Downloaded newer image for node:18' })
    expect(last).toEqual({
      image: 'node:18',
      status: 'Status: Downloaded newer image for node:18',
      layers: 0,
      layersDone: 0,
      bytesDone: 0,
      bytesTotal: 0
    })
  })
})
