/**
 * A flag source's writes from this process, one after another: the second of two concurrent writes
 * reads what the first wrote, sees its expected revision is gone, and is refused instead of lost.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(write: () => Promise<T>): Promise<T> {
    const result = this.tail.then(write)
    this.tail = result.catch(() => undefined)
    return result
  }
}
