import type { SharedDocument } from '../../store/document';
import type { ShardDoc, Step } from './shard';

/**
 * One shard document, with the changes queued in this process coalesced into one
 * eTag-checked write: a burst of claims and outcomes in one shard costs one read
 * and one write, not one each. `onDoc` sees every document written.
 */
export class ShardWriter {
  readonly #doc: SharedDocument<ShardDoc>;
  readonly #onDoc: (doc: ShardDoc) => void;
  #queue: { step: (doc: ShardDoc) => Step<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  #busy = false;

  constructor(doc: SharedDocument<ShardDoc>, onDoc: (doc: ShardDoc) => void) {
    this.#doc = doc;
    this.#onDoc = onDoc;
  }

  read(): Promise<ShardDoc> {
    return this.#doc.read();
  }

  /** `step` is pure (it may run again on a fresh document after a conflict). */
  run<R>(step: (doc: ShardDoc) => Step<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ step, resolve: (v) => resolve(v as R), reject });
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          const out = await this.#doc.change((current) => {
            let doc = current;
            let changed = false;
            const results: unknown[] = [];
            for (const op of batch) {
              const r = op.step(doc);
              if (r.doc) {
                doc = r.doc;
                changed = true;
              }
              results.push(r.result);
            }
            if (!changed) return { result: { doc, results } };
            const next = { ...doc, rev: current.rev + 1 };
            return { doc: next, result: { doc: next, results } };
          });
          this.#onDoc(out.doc);
          batch.forEach((op, i) => op.resolve(out.results[i]));
        } catch (err) {
          for (const op of batch) op.reject(err);
        }
      }
    } finally {
      this.#busy = false;
    }
  }
}
