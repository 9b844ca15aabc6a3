/**
 * The newest `capacity` items, oldest first: what arrives past it pushes the oldest out, and the
 * buffer counts how many it dropped, so the page can say so.
 */
export class LineBuffer<T> {
  private items: T[] = []
  private droppedCount = 0

  constructor(readonly capacity: number) {}

  push(more: readonly T[]): void {
    if (more.length === 0) return
    this.items.push(...more.slice(-this.capacity))
    this.droppedCount += Math.max(0, more.length - this.capacity)
    const over = this.items.length - this.capacity
    if (over > 0) {
      this.items.splice(0, over)
      this.droppedCount += over
    }
  }

  /** Everything held, oldest first; the buffer is then empty (and its dropped count back to 0). */
  take(): T[] {
    const taken = this.items
    this.items = []
    this.droppedCount = 0
    return taken
  }

  all(): readonly T[] {
    return this.items
  }

  get size(): number {
    return this.items.length
  }

  /** Items pushed out since the buffer was last emptied. */
  get dropped(): number {
    return this.droppedCount
  }
}
