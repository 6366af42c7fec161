/**
 * The intake's steps as pure functions of (state, answer): no store, no channel, no clock.
 */
import { describe, expect, it } from 'vitest';
import { advanceIntake, MAX_FAILURES, startIntake, type IntakeConfig, type IntakeOutcome, type IntakeState } from '../src/flows/intake/machine.js';

const config: IntakeConfig = {
  notice: { version: 'v-test', centreName: 'Trung tâm CTXH', retentionDays: 730 },
  childAgeLimit: 16,
  hotline: '1900 0000',
};
const now = new Date('2026-11-30T03:00:00Z');

/** Starts an intake and answers each text in turn; returns every outcome. */
function walk(answers: readonly string[], from?: IntakeState): { outcomes: IntakeOutcome[]; last: IntakeOutcome } {
  let state = from ?? startIntake({ now }, config).state!;
  const outcomes: IntakeOutcome[] = [];
  for (const text of answers) {
    const out = advanceIntake(state, { text, now }, config);
    outcomes.push(out);
    if (!out.state) break;
    state = out.state;
  }
  return { outcomes, last: outcomes[outcomes.length - 1]! };
}

const CORE = ['dong y', 'toi', 'nguoi khuyet tat', 'tro cap', 'phuong ben thanh tp hcm'];

describe('intake machine', () => {
  it('asks consent first, with three quick replies and nothing ticked', () => {
    const start = startIntake({ now }, config);
    expect(start.state!.step).toBe('consent');
    expect(start.replies[0]!.choices).toEqual(['Đồng ý', 'Không đồng ý', 'Xem thêm']);
    expect(start.replies[0]!.text).toContain('2 năm');
  });

  it('a declined consent ends the intake and records the decision, nothing else', () => {
    const { last } = walk(['khong dong y']);
    expect(last.state).toBeNull();
    expect(last.effects).toEqual([{ type: 'consent', purpose: 'intake', decision: 'declined', version: 'v-test' }]);
    expect(last.replies[0]!.text).toMatch(/không ghi lại/);
  });

  it('"Xem thêm" explains and asks again', () => {
    const { last } = walk(['xem them']);
    expect(last.state!.step).toBe('consent');
    expect(last.replies[0]!.text).toMatch(/xóa thông tin của tôi/);
  });

  it('walks a whole intake typed without diacritics, with an old province name', () => {
    const { outcomes, last } = walk(['dong y', 'nguoi than', 'nguoi cao tuoi', '82', 'cham soc', 'phuong hoi an, quang nam', 'dung', 'co', '0905.123.456', 'ba noi toi song mot minh', 'gui phieu']);
    const place = outcomes[5]!;
    expect(place.state!.step).toBe('confirm-place');
    expect(place.replies[0]!.text).toMatch(/Hội An.*Đà Nẵng/);
    expect(last.state).toBeNull();
    const submit = last.effects.find((e) => e.type === 'submit');
    expect(submit).toMatchObject({
      answers: { who: 'relative', group: 'nguoi-cao-tuoi', age: 82, need: 'cham-soc', provinceCode: '48', phone: '+84905123456', description: 'ba noi toi song mot minh' },
    });
  });

  it('asks a commune when only the province was given, and offers a pick for same-named communes', () => {
    const { outcomes } = walk([...CORE.slice(0, 4), 'tay ninh', 'tan thanh']);
    expect(outcomes[4]!.state!.step).toBe('commune');
    expect(['pick-commune', 'confirm-place']).toContain(outcomes[5]!.state!.step);
  });

  it('three invalid phone numbers in a row end in the counsellor offer, not a fourth prompt', () => {
    const { outcomes } = walk([...CORE, 'dung', 'co goi lai', '123', 'abc', '0123']);
    const phoneAnswers = outcomes.slice(-3);
    expect(phoneAnswers[0]!.state!.step).toBe('phone');
    expect(phoneAnswers[1]!.state!.step).toBe('phone');
    const third = phoneAnswers[2]!;
    expect(third.state!.step).toBe('offer-counsellor');
    expect(third.replies).toHaveLength(1);
    expect(third.replies[0]!.choices).toContain('Gặp tư vấn viên');
    expect(MAX_FAILURES).toBe(3);
    const accepted = advanceIntake(third.state!, { text: 'Gặp tư vấn viên', now }, config);
    expect(accepted.effects).toEqual([{ type: 'counsellor' }]);
    const resumed = advanceIntake(third.state!, { text: 'Tiếp tục điền', now }, config);
    expect(resumed.state!.step).toBe('phone');
    expect(resumed.state!.failures).toBe(0);
  });

  it('a re-prompt is short, kind and gives an example', () => {
    const { last } = walk([...CORE, 'dung', 'co', '12345']);
    expect(last.invalid).toBe(true);
    expect(last.replies[0]!.text).toMatch(/ví dụ: 0912 345 678/);
  });

  it('"hủy" cancels and keeps nothing; "quay lại" goes back one step', () => {
    const cancelled = walk(['dong y', 'toi', 'huy']).last;
    expect(cancelled.state).toBeNull();
    expect(cancelled.effects).toEqual([{ type: 'discard' }]);
    const back = walk(['dong y', 'toi', 'quay lai']).last;
    expect(back.state!.step).toBe('who');
  });

  it('corrects one field from the summary without starting again', () => {
    const { last: atSummary } = walk([...CORE, 'dung', 'khong can', 'bo qua']);
    expect(atSummary.state!.step).toBe('summary');
    const edit = advanceIntake(atSummary.state!, { text: 'Sửa', now }, config);
    expect(edit.state!.step).toBe('edit');
    const which = advanceIntake(edit.state!, { text: 'Cần hỗ trợ gì', now }, config);
    expect(which.state!.step).toBe('need');
    const changed = advanceIntake(which.state!, { text: 'tu van tam ly', now }, config);
    expect(changed.state!.step).toBe('summary');
    expect(changed.state!.answers).toMatchObject({ need: 'tam-ly', group: 'nguoi-khuyet-tat', communeCode: atSummary.state!.answers.communeCode });
  });

  it('a child writing alone needs a guardian; without one nothing is kept and a counsellor and 111 are offered', () => {
    const { outcomes, last } = walk(['dong y', 'toi', 'tre em', '13', 'chua']);
    expect(outcomes[3]!.state!.step).toBe('guardian');
    expect(last.state).toBeNull();
    expect(last.effects).toContainEqual({ type: 'discard' });
    expect(last.effects).toContainEqual({ type: 'consent', purpose: 'guardian', decision: 'declined', version: 'v-test' });
    expect(last.replies[0]!.text).toContain('111');
    expect(last.replies[0]!.choices).toContain('Gặp tư vấn viên');
  });

  it('a child with a guardian\'s agreement goes on', () => {
    const { last } = walk(['dong y', 'nguoi than', 'tre em', '9 tuoi', 'co']);
    expect(last.state!.step).toBe('need');
    expect(last.effects).toContainEqual({ type: 'consent', purpose: 'guardian', decision: 'granted', version: 'v-test' });
  });

  it('the phone is asked only under the call-back consent, recorded separately', () => {
    const declined = walk([...CORE, 'dung', 'khong can']).last;
    expect(declined.state!.step).toBe('description');
    expect(declined.effects).toContainEqual({ type: 'consent', purpose: 'callback', decision: 'declined', version: 'v-test' });
    const granted = walk([...CORE, 'dung', 'co, goi lai cho toi']).last;
    expect(granted.state!.step).toBe('phone');
    expect(granted.effects).toContainEqual({ type: 'consent', purpose: 'callback', decision: 'granted', version: 'v-test' });
  });

  it('reads a group from how people describe it, and an old person or a child from an age', () => {
    const groupOf = (text: string) => walk(['dong y', 'nguoi than', text]).last.state!.answers;
    expect(groupOf('ba toi bi liet nua nguoi').group).toBe('nguoi-khuyet-tat');
    expect(groupOf('em bi tram cam').group).toBe('suc-khoe-tam-than');
    expect(groupOf('bà tôi 80 tuổi')).toMatchObject({ group: 'nguoi-cao-tuoi', age: 80 });
    expect(walk(['dong y', 'nguoi than', 'bà tôi 80 tuổi']).last.state!.step).toBe('need');
  });

  it('an answer that fits no option is marked invalid, so the turn may answer it as a question', () => {
    const { last } = walk(['dong y', 'tro cap nguoi khuyet tat bao nhieu tien']);
    expect(last.invalid).toBe(true);
    expect(last.state!.step).toBe('who');
  });
});
