import type { Storage } from 'botbuilder';
import { updateWithRetry } from './etag';

/**
 * One small JSON document that several writers change: a queue per process so
 * local writers don't fight over the eTag, and eTag retries across processes.
 * Storage has no list or query, so what must be listed lives in documents like this.
 */
export class SharedDocument<T extends object> {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    readonly key: string,
    private readonly normalise: (stored: Partial<T> | undefined) => T,
  ) {}

  async read(): Promise<T> {
    const items = (await this.storage.read([this.key])) as Record<string, (Partial<T> & { eTag?: string }) | undefined>;
    const stored = items[this.key];
    if (!stored) return this.normalise(undefined);
    const { eTag: _eTag, ...doc } = stored;
    return this.normalise(doc as Partial<T>);
  }

  /**
   * Applies a pure change and returns its result. `change` may run more than once
   * (again on the fresh document after an eTag conflict), so it must not have side
   * effects; returning no `doc` means "nothing to write".
   */
  change<R>(change: (doc: T) => { doc?: T; result: R }): Promise<R> {
    const run = async (): Promise<R> => {
      let result: R | undefined;
      await updateWithRetry<T>(
        this.storage,
        this.key,
        (current) => {
          const out = change(this.normalise(current));
          result = out.result;
          return out.doc;
        },
        { attempts: 200 },
      );
      return result as R;
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
