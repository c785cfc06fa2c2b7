import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CandidateBudget } from './CandidateBudget.ts';

describe('CandidateBudget', () => {
  it('allows the budget per peer, then refuses until a new description resets it', () => {
    const budget = new CandidateBudget(3);
    assert.deepEqual([1, 2, 3, 4].map(() => budget.take('p1')), [true, true, true, false]);
    assert.equal(budget.take('p2'), true, 'another peer has its own budget');
    budget.reset('p1');
    assert.equal(budget.take('p1'), true);
  });

  it('keeps counts for a bounded number of peers, forgetting the oldest', () => {
    const budget = new CandidateBudget(1);
    assert.equal(budget.take('first'), true);
    for (let i = 0; i < 1_024; i++) budget.take(`p${i}`);
    assert.equal(budget.take('first'), true, 'the oldest peer was forgotten');
    assert.equal(budget.take('p1023'), false, 'a recent one is still counted');
  });
});
