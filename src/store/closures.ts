import { randomUUID } from 'node:crypto';
import type { Storage } from 'botbuilder';
import type { AdhocClosure } from '../instruction/schema';
import { SharedDocument } from './document';

/**
 * Ad-hoc closures of the Nexusteam ("lukket i dag pga. kursus"), added and removed
 * by the Nexusteam without a code change. They join the instruction's own ad-hoc
 * closures wherever office hours are computed.
 */
export interface StoredClosure extends AdhocClosure {
  readonly id: string;
  readonly addedBy: string;
}

interface ClosuresDoc {
  readonly closures: readonly StoredClosure[];
}

export class Closures {
  readonly #doc: SharedDocument<ClosuresDoc>;
  /** The last list read, and when (see `list`). */
  #cached: { closures: readonly StoredClosure[]; at: number } | undefined;

  constructor(
    storage: Storage,
    private readonly now: () => number = Date.now,
  ) {
    this.#doc = new SharedDocument<ClosuresDoc>(storage, 'closures', (d) => ({ closures: d?.closures ?? [] }));
  }

  /**
   * The closures. Office hours are worked out several times in every turn; with
   * `maxAgeMs` a list read that recently will do, so a turn does not read the
   * document each time (another instance's change shows within that long; this
   * instance's own changes at once).
   */
  async list(maxAgeMs = 0): Promise<readonly StoredClosure[]> {
    const cached = this.#cached;
    if (cached && maxAgeMs > 0 && this.now() - cached.at <= maxAgeMs) return cached.closures;
    const at = this.now();
    const { closures } = await this.#doc.read();
    this.#cached = { closures, at };
    return closures;
  }

  add(closure: AdhocClosure, addedBy: string): Promise<StoredClosure> {
    const stored: StoredClosure = { ...closure, id: randomUUID().slice(0, 8), addedBy };
    return this.#forgetting(this.#doc.change((doc) => ({ doc: { closures: [...doc.closures, stored] }, result: stored })));
  }

  remove(id: string): Promise<boolean> {
    return this.#forgetting(
      this.#doc.change((doc) =>
        doc.closures.some((c) => c.id === id) ? { doc: { closures: doc.closures.filter((c) => c.id !== id) }, result: true } : { result: false },
      ),
    );
  }

  /** A change of this instance's is seen at once: the cached list is dropped when it is written. */
  async #forgetting<R>(change: Promise<R>): Promise<R> {
    try {
      return await change;
    } finally {
      this.#cached = undefined;
    }
  }

  /** Drops closures whose last day is before `localDate` (they no longer matter). */
  prune(localDate: string): Promise<number> {
    return this.#forgetting(
      this.#doc.change((doc) => {
        const keep = doc.closures.filter((c) => (c.to ?? c.from) >= localDate);
        return keep.length === doc.closures.length ? { result: 0 } : { doc: { closures: keep }, result: doc.closures.length - keep.length };
      }),
    );
  }
}
