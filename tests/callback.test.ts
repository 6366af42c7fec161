/** The call-back flow as a pure machine: consent first, then a number, three tries. */
import { describe, expect, it } from 'vitest';
import { advanceCallback, asksForCallback, CHOICE_CALLBACK, startCallback } from '../src/flows/callback.js';

describe('leaving a call-back number', () => {
  it('asks for the call-back consent first, saying what the number is for and how to erase it', () => {
    const { state, replies } = startCallback();
    expect(state).toEqual({ step: 'consent', failures: 0 });
    expect(replies[0]!.text).toMatch(/chỉ dùng để gọi lại/);
    expect(replies[0]!.text).toMatch(/xóa thông tin của tôi/);
    expect(asksForCallback(CHOICE_CALLBACK)).toBe(true);
    expect(asksForCallback('goi lai cho toi')).toBe(true);
    expect(asksForCallback('trợ cấp bao nhiêu')).toBe(false);
  });

  it('records the consent, reads the number back, and forgets the message that held it', () => {
    const agreed = advanceCallback({ step: 'consent', failures: 0 }, 'dong y');
    expect(agreed.effects).toEqual([{ type: 'consent', decision: 'granted' }]);
    expect(agreed.state).toEqual({ step: 'phone', failures: 0 });
    const left = advanceCallback(agreed.state!, 'sdt em 0912.345.678 nha');
    expect(left.state).toBeNull();
    expect(left.effects).toEqual([{ type: 'leave', phone: '+84912345678', display: '0912 345 678' }, { type: 'forget-answer' }]);
    expect(left.replies[0]!.text).toMatch(/0912 345 678/);
  });

  it('lets the citizen decline and keep waiting, and gives up kindly after three unreadable numbers', () => {
    const declined = advanceCallback({ step: 'consent', failures: 0 }, 'Không, tôi chờ');
    expect(declined).toMatchObject({ state: null, effects: [{ type: 'consent', decision: 'declined' }] });
    expect(declined.replies[0]!.text).toMatch(/cứ chờ/);
    let state = { step: 'phone' as const, failures: 0 };
    const first = advanceCallback(state, '123');
    expect(first.state).toEqual({ step: 'phone', failures: 1 });
    state = first.state as typeof state;
    state = advanceCallback(state, 'abc').state as typeof state;
    const third = advanceCallback(state, 'không nhớ số');
    expect(third.state).toBeNull();
    expect(third.replies[0]!.text).toMatch(/cứ chờ/);
  });

  it('ends on an answer that is neither yes nor no, so the message is read as usual', () => {
    expect(advanceCallback({ step: 'consent', failures: 0 }, 'trợ cấp người già bao nhiêu')).toEqual({ state: null, replies: [], effects: [] });
  });
});
