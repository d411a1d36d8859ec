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
  constructor(storage: Storage) {
    this.#doc = new SharedDocument<ClosuresDoc>(storage, 'closures', (d) => ({ closures: d?.closures ?? [] }));
  }

  async list(): Promise<readonly StoredClosure[]> {
    return (await this.#doc.read()).closures;
  }

  add(closure: AdhocClosure, addedBy: string): Promise<StoredClosure> {
    const stored: StoredClosure = { ...closure, id: randomUUID().slice(0, 8), addedBy };
    return this.#doc.change((doc) => ({ doc: { closures: [...doc.closures, stored] }, result: stored }));
  }

  remove(id: string): Promise<boolean> {
    return this.#doc.change((doc) =>
      doc.closures.some((c) => c.id === id) ? { doc: { closures: doc.closures.filter((c) => c.id !== id) }, result: true } : { result: false },
    );
  }

  /** Drops closures whose last day is before `localDate` (they no longer matter). */
  prune(localDate: string): Promise<number> {
    return this.#doc.change((doc) => {
      const keep = doc.closures.filter((c) => (c.to ?? c.from) >= localDate);
      return keep.length === doc.closures.length ? { result: 0 } : { doc: { closures: keep }, result: doc.closures.length - keep.length };
    });
  }
}
