import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

interface AskLine {
  text: string;
  topic: string | null;
  entryId: string | null;
  confidence: number;
  risk: string | null;
  handoff: boolean;
  reply: string;
}

/** Runs the real `npm run --silent ask` command, as the evaluation does. */
function ask(args: string[], input?: string): AskLine[] {
  const out = execFileSync('npm', ['run', '--silent', 'ask', '--', ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
  });
  return out.trim().split('\n').map((l) => JSON.parse(l) as AskLine);
}

interface EvalLine {
  text: string;
  topics: string[];
}

function evaluate(file: string) {
  const gold = readFileSync(join(ROOT, 'tests', 'fixtures', 'eval', file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EvalLine);
  const results = ask(['--jsonl'], gold.map((g) => g.text).join('\n') + '\n');
  expect(results).toHaveLength(gold.length);
  const inScope = gold.map((g, i) => ({ g, r: results[i]! })).filter(({ g }) => g.topics.length > 0);
  const outOfScope = gold.map((g, i) => ({ g, r: results[i]! })).filter(({ g }) => g.topics.length === 0);
  const right = inScope.filter(({ g, r }) => r.topic !== null && g.topics.includes(r.topic));
  const answeredOut = outOfScope.filter(({ r }) => r.topic !== null);
  return {
    accuracy: right.length / inScope.length,
    misses: inScope.filter((x) => !right.includes(x)).map(({ g, r }) => `${g.topics.join('|')} ← ${r.topic}: ${g.text}`),
    answeredOut: answeredOut.map(({ g, r }) => `${r.topic}: ${g.text}`),
  };
}

describe('ask command', () => {
  it('prints one JSON object per message with every field, in order', () => {
    const lines = ask(['--jsonl'], 'tro cap nguoi gia bao nhieu\nalo\n\ngiá vàng hôm nay bao nhiêu\n');
    expect(lines.map((l) => l.text)).toEqual(['tro cap nguoi gia bao nhieu', 'alo', '', 'giá vàng hôm nay bao nhiêu']);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(['confidence', 'entryId', 'handoff', 'referral', 'reply', 'risk', 'riskLevel', 'text', 'topic']);
      expect(l.confidence).toBeGreaterThanOrEqual(0);
      expect(l.confidence).toBeLessThanOrEqual(1);
      expect(l.reply.length).toBeGreaterThan(0);
    }
    expect(lines[0]!.topic).toBe('tro-cap-nguoi-cao-tuoi');
    expect(lines[0]!.reply).toMatch(/Nguồn: /);
    expect(lines[3]!.topic).toBeNull();
    expect(lines[3]!.entryId).toBeNull();
  });

  it('names the office for another office\'s business, grounded in no entry of ours', () => {
    const [pension, unemployment, oldAge] = ask(['--jsonl'], 'luong huu thang nay khi nao lanh vay\nnghỉ việc rồi làm trợ cấp thất nghiệp ở đâu\nba tui 76 tuổi không có lương hưu thì được trợ cấp gì không\n');
    expect(pension).toMatchObject({ topic: null, entryId: null, referral: 'Cơ quan bảo hiểm xã hội', handoff: false });
    expect(pension!.reply).toMatch(/cơ quan bảo hiểm xã hội/);
    expect(pension!.reply).not.toMatch(/Nguồn: /);
    expect(unemployment).toMatchObject({ topic: null, referral: expect.stringMatching(/việc làm/) });
    // The social pension for 75+ without a pension is ours.
    expect(oldAge).toMatchObject({ topic: 'tro-cap-nguoi-cao-tuoi', referral: null });
  });

  it('answers the question in an urgent report after the safety reply, and names the risk', () => {
    const [report, selfHarm] = ask(['--jsonl'], 'Nhà kế bên có đứa nhỏ bị ba nó say xỉn đánh hoài, tui muốn báo thì báo ở đâu?\ntui gom đủ thuốc ngủ rồi, tối nay uống hết cho xong, tổng đài tư vấn tâm lý số mấy\n');
    expect(report).toMatchObject({ risk: 'xam-hai-tre-em', riskLevel: 'urgent', handoff: true, topic: 'bao-ve-tre-em' });
    // The safety reply comes first; the answer, with its source, after it.
    expect(report!.reply.indexOf('113')).toBeLessThan(report!.reply.indexOf('Nguồn: '));
    expect(selfHarm).toMatchObject({ risk: 'tu-hai', riskLevel: 'urgent', handoff: true, topic: null });
  });

  it('grounds an everyday question about an old parent in no entry', () => {
    const [line] = ask(['--json', 'mẹ tôi 80 tuổi răng yếu, nấu món gì cho bà dễ ăn mà đủ chất ạ']);
    expect(line!.topic).toBeNull();
    expect(line!.entryId).toBeNull();
  });

  it('answers one message with --json', () => {
    const [l] = ask(['--json', 'tro cap nguoi khuyet tat bao nhieu']);
    expect(l!.topic).toBe('tro-cap-nguoi-khuyet-tat');
    expect(l!.reply).toMatch(/đồng/);
  });

  it('gets the sample evaluation set right', () => {
    const r = evaluate('faq-sample.jsonl');
    expect(r.answeredOut).toEqual([]);
    expect(r.accuracy, r.misses.join('\n')).toBeGreaterThanOrEqual(0.9);
  });

  it('gets the tuning set right: written apart from the knowledge base, then used to fit the confidence', () => {
    const r = evaluate('faq-tuning.jsonl');
    expect(r.answeredOut.length, r.answeredOut.join('\n')).toBeLessThanOrEqual(2);
    expect(r.accuracy, r.misses.join('\n')).toBeGreaterThanOrEqual(0.9);
  });

  it('generalises to a fresh set never tuned on', () => {
    const r = evaluate('faq-fresh.jsonl');
    // Measured when the set arrived: 96 of 100 in scope right, 4 of 20 out of scope
    // answered; 2 of 20 since generic words and the domain-match rule.
    expect(r.accuracy, r.misses.join('\n')).toBeGreaterThanOrEqual(0.9);
    expect(r.answeredOut.length, r.answeredOut.join('\n')).toBeLessThanOrEqual(2);
  });
});
