/** Counts work in progress so a graceful stop can wait for it, with a bound. */
export class InflightWork {
  readonly #pending = new Set<Promise<unknown>>();

  get size(): number {
    return this.#pending.size;
  }

  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
    return work;
  }

  /** Resolves true when everything finished, false when the time ran out first. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    try {
      for (;;) {
        if (this.#pending.size === 0) {
          return true;
        }
        const done = await Promise.race([Promise.all([...this.#pending]).then(() => true as const), timeout]);
        if (!done) {
          return false;
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
