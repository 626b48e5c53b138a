/** Same contract as the worker's Disposable: dispose runs its callback once; `from` combines several. */
export class Disposable {
  static from(...disposableLikes: { dispose: () => unknown }[]): Disposable {
    let pending: { dispose: () => unknown }[] | undefined = disposableLikes;
    return new Disposable(() => {
      const items = pending;
      pending = undefined;
      for (const item of items ?? []) {
        item.dispose();
      }
    });
  }

  #callOnDispose: (() => unknown) | undefined;

  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }

  dispose(): unknown {
    const callback = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return callback?.();
  }
}
