/**
 * A binary min-heap of timed tasks, ordered by time then by insertion sequence, so that tasks due at
 * the same millisecond come out in the order they were scheduled (which keeps the output
 * deterministic).
 */

/** Anything with a due time and an insertion sequence number. */
export interface Timed {
  readonly t: number;
  readonly seq: number;
}

function before(a: Timed, b: Timed): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

/** A min-heap on (t, seq). */
export class TaskHeap<T extends Timed> {
  private readonly items: T[] = [];

  /** Number of tasks waiting. */
  get size(): number {
    return this.items.length;
  }

  /** The earliest task, without removing it. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds a task. */
  push(task: T): void {
    const a = this.items;
    a.push(task);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  /** Removes and returns the earliest task. */
  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as T;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
