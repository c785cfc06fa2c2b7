import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { describeFailure, exitOnUnhandledRejection } from './processGuards.ts';

describe('process guards', () => {
  it('an unhandled rejection is reported once and the process exits non-zero, even if reporting fails', () => {
    const fake = Object.assign(new EventEmitter(), { exits: [] as number[], exit(code: number) { this.exits.push(code); } });
    const reported: string[] = [];
    exitOnUnhandledRejection(fake, (reason) => reported.push(describeFailure(reason)));
    fake.emit('unhandledRejection', new Error('the audit write failed'));
    assert.equal(reported.length, 1);
    assert.match(reported[0]!, /^Error: the audit write failed\n\s+at /);
    assert.deepEqual(fake.exits, [70]);

    const failing = Object.assign(new EventEmitter(), { exits: [] as number[], exit(code: number) { this.exits.push(code); } });
    exitOnUnhandledRejection(failing, () => { throw new Error('stderr closed'); });
    assert.throws(() => failing.emit('unhandledRejection', 'plain reason'), /stderr closed/);
    assert.deepEqual(failing.exits, [70]);
  });
});
