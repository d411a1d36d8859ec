import { randomUUID } from 'node:crypto';
import type { Storage } from 'botbuilder';
import { z } from 'zod';
import { adhocClosureSchema, type AdhocClosure } from '../instruction/schema';
import { isRecord } from '../lib/isRecord';
import { defaultDocumentLog, parseList, SharedDocument, type DocumentLog } from './document';

/**
 * Ad-hoc closures of the Nexusteam ("lukket i dag pga. kursus"), added and removed
 * by the Nexusteam without a code change. They join the instruction's own ad-hoc
 * closures wherever office hours are computed.
 */
const storedClosureSchema = z.object({ ...adhocClosureSchema.shape, id: z.string(), addedBy: z.string() });
export type StoredClosure = z.infer<typeof storedClosureSchema>;

interface ClosuresDoc {
  readonly closures: readonly StoredClosure[];
}

const CLOSURES_KEY = 'closures';

/** The closures that parse; one that does not is left out (and logged): the Nexusteam's hours are then as without it. */
function parseClosures(stored: unknown, log: DocumentLog): ClosuresDoc {
  return { closures: parseList(storedClosureSchema, isRecord(stored) ? stored['closures'] : undefined, log, CLOSURES_KEY, 'closures') };
}

export class Closures {
  readonly #doc: SharedDocument<ClosuresDoc, unknown>;
  /** The last list read, and when (see `list`). */
  #cached: { closures: readonly StoredClosure[]; at: number } | undefined;

  constructor(
    storage: Storage,
    private readonly now: () => number = Date.now,
    log: DocumentLog = defaultDocumentLog(),
  ) {
    this.#doc = new SharedDocument<ClosuresDoc, unknown>(storage, CLOSURES_KEY, (stored) => parseClosures(stored, log));
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
