/**
 * What one process has in flight (requests, their deadlines): added when one starts, deleted when
 * it ends, listed only on shutdown. A doubly linked list rather than a Map or Set, for the
 * garbage collector's sake. A long-lived Map that takes and drops a young value per request keeps
 * those values reachable past their request: the table lives in the old generation, and when V8
 * rehashes it the obsolete table keeps its entries, which the remembered set then treats as roots
 * at every scavenge until a full mark-sweep. Measured in the Web Functions edge
 * (`scripts/hot-path.ts --mode web --gc`): with the edge's Map, 3.3 MiB of each 54 MiB scavenge
 * was promoted and then died in the old generation; with this list, 0.4 MiB (what is really in
 * flight). An unlinked entry drops its value and both links, so a dead entry points at nothing.
 */
export interface LiveEntry<T> {
  value: T | undefined;
  prev: LiveEntry<T> | undefined;
  next: LiveEntry<T> | undefined;
}

export class LiveSet<T> {
  private head: LiveEntry<T> | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(value: T): LiveEntry<T> {
    const e: LiveEntry<T> = { value, prev: undefined, next: this.head };
    if (this.head) this.head.prev = e;
    this.head = e;
    this.count++;
    return e;
  }

  /** Unlinks an entry (a second delete of the same entry does nothing). */
  delete(e: LiveEntry<T>): void {
    if (e.value === undefined) return;
    if (e.prev) e.prev.next = e.next;
    else if (this.head === e) this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    e.value = undefined;
    e.prev = undefined;
    e.next = undefined;
    this.count--;
  }

  /** The values in flight now, newest first (a copy: deleting while walking it is safe). */
  values(): T[] {
    const out: T[] = [];
    for (let e = this.head; e; e = e.next) if (e.value !== undefined) out.push(e.value);
    return out;
  }

  clear(): void {
    for (let e = this.head; e; ) {
      const next = e.next;
      e.value = undefined;
      e.prev = undefined;
      e.next = undefined;
      e = next;
    }
    this.head = undefined;
    this.count = 0;
  }
}
