/**
 * Aggregates the engine's per-layer pull events (one JSON object per line) into one figure
 * an operator can read: layers done, bytes downloaded of the bytes known so far.
 */
export interface PullEvent {
  status?: string
  id?: string
  progressDetail?: { current?: number; total?: number }
  error?: string
  errorDetail?: { message?: string }
}

export interface PullProgress {
  image: string
  /** The engine's latest words, e.g. "Downloading" or "Status: Downloaded newer image for postgres:15". */
  status: string
  layers: number
  layersDone: number
  /** Downloaded bytes over the layers whose size is known; 0 of 0 until the first sizes arrive. */
  bytesDone: number
  bytesTotal: number
}

interface LayerState {
  done: boolean
  current: number
  total: number
}

// Statuses that carry a layer id but are about the image as a whole.
const IMAGE_LEVEL = /^(Pulling from|Digest:|Status:)/

export class PullProgressTracker {
  private readonly layers = new Map<string, LayerState>()
  private status = 'Waiting for the engine'

  constructor(private readonly image: string) {}

  /** Folds one event in and returns the figure after it; an event with `error` is the caller's to raise. */
  update(event: PullEvent): PullProgress {
    if (event.status !== undefined) this.status = event.status
    const id = event.id
    if (id !== undefined && event.status !== undefined && !IMAGE_LEVEL.test(event.status)) {
      const layer = this.layers.get(id) ?? { done: false, current: 0, total: 0 }
      this.layers.set(id, layer)
      const status = event.status
      if (status === 'Downloading') {
        layer.current = event.progressDetail?.current ?? layer.current
        layer.total = event.progressDetail?.total ?? layer.total
      } else if (status === 'Download complete' || status === 'Verifying Checksum') {
        layer.current = layer.total
      } else if (status === 'Pull complete' || status === 'Already exists') {
        layer.done = true
        layer.current = layer.total
      }
    }
    return this.snapshot()
  }

  snapshot(): PullProgress {
    let layersDone = 0
    let bytesDone = 0
    let bytesTotal = 0
    for (const layer of this.layers.values()) {
      if (layer.done) layersDone += 1
      bytesDone += layer.current
      bytesTotal += layer.total
    }
    return { image: this.image, status: this.status, layers: this.layers.size, layersDone, bytesDone, bytesTotal }
  }
}
