import { describe, expect, it } from 'vitest';
import { cancelJobs, claimDue, pruneFinished, recordOutcome, upsertJob, type JobsDoc } from '../../src/domain/jobs';

const T0 = new Date('2026-12-07T10:00:00Z');
const plus = (ms: number) => new Date(T0.getTime() + ms);
const review = { kind: 'review' } as const;
const EMPTY_JOBS: JobsDoc = { jobs: [] };

function withJobs(n: number, dueAt = T0): JobsDoc {
  let doc = EMPTY_JOBS;
  for (let i = 0; i < n; i++) doc = upsertJob(doc, `job-${i}`, review, dueAt);
  return doc;
}

describe('durable jobs', () => {
  it('only due jobs are claimed, earliest first, at most the batch', () => {
    let doc = upsertJob(EMPTY_JOBS, 'later', review, plus(60_000));
    doc = upsertJob(doc, 'b', review, plus(-1000));
    doc = upsertJob(doc, 'a', review, plus(-2000));
    const { claimed } = claimDue(doc, T0, 'w1', 60_000, 1);
    expect(claimed.map((j) => j.id)).toEqual(['a']);
  });

  it('a claimed job is not claimed again by another worker while its lease holds; after the lease it is', () => {
    const first = claimDue(withJobs(1), T0, 'w1', 60_000, 10);
    expect(claimDue(first.doc, plus(59_000), 'w2', 60_000, 10).claimed).toHaveLength(0);
    const overtaken = claimDue(first.doc, plus(61_000), 'w2', 60_000, 10);
    expect(overtaken.claimed.map((j) => j.claimedBy)).toEqual(['w2']);
    // the first worker's late record changes nothing
    const late = recordOutcome(overtaken.doc, first.claimed[0]!, 'w1', { kind: 'done' }, plus(62_000));
    expect(late.recorded).toBe(false);
  });

  it('done is recorded once with its follow-ups; retry puts it back at the given time; moving a pending job works, a done one stays', () => {
    const { doc, claimed } = claimDue(withJobs(1), T0, 'w1', 60_000, 10);
    const done = recordOutcome(doc, claimed[0]!, 'w1', { kind: 'done', followUps: [{ id: 'next', payload: review, dueAt: plus(3_600_000) }] }, T0);
    expect(done.doc.jobs.map((j) => [j.id, j.state])).toEqual([
      ['job-0', 'done'],
      ['next', 'pending'],
    ]);
    expect(upsertJob(done.doc, 'job-0', review, plus(1)).jobs.find((j) => j.id === 'job-0')?.state).toBe('done');
    expect(upsertJob(done.doc, 'next', review, plus(5)).jobs.find((j) => j.id === 'next')?.dueAt).toBe(plus(5).toISOString());

    const again = claimDue(withJobs(1), T0, 'w1', 60_000, 10);
    const retry = recordOutcome(again.doc, again.claimed[0]!, 'w1', { kind: 'retry', error: '502', at: plus(120_000) }, T0);
    expect(retry.doc.jobs[0]).toMatchObject({ state: 'pending', dueAt: plus(120_000).toISOString(), lastError: '502', attempts: 1 });
  });

  it('cancelled jobs never run; finished jobs are pruned after a day', () => {
    const cancelled = cancelJobs(withJobs(3), (j) => j.id !== 'job-1', T0);
    expect(claimDue(cancelled, plus(1), 'w', 1000, 10).claimed.map((j) => j.id)).toEqual(['job-1']);
    expect(pruneFinished(cancelled, plus(25 * 3_600_000), 24 * 3_600_000).jobs.map((j) => j.id)).toEqual(['job-1']);
  });

  it('100 jobs claimed by two workers in turns: each claimed exactly once', () => {
    let doc = withJobs(100);
    const seen: string[] = [];
    for (let round = 0; round < 10; round++) {
      for (const w of ['w1', 'w2']) {
        const r = claimDue(doc, T0, w, 60_000, 7);
        doc = r.doc;
        for (const j of r.claimed) {
          seen.push(j.id);
          doc = recordOutcome(doc, j, w, { kind: 'done' }, T0).doc;
        }
      }
    }
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
  });
});
