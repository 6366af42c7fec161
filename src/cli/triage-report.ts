/**
 * `npm run triage:report -- FILE.jsonl [--misses]`: measures the risk triage on a set in
 * the `risk-sample.jsonl` format ({"text", "risk": category | null}), each line judged
 * on its own as a first message. Prints recall per category (urgent with the right
 * category), how many urgent lines got only a check-in, the false-alarm rate (controls
 * flagged urgent) and the check-in rate on controls. `--misses` also lists every line
 * judged wrong, with the cue ids that fired, to stderr.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { assess, loadLexicon, DEFAULT_LEXICON_DIR } from '../flows/triage/index.js';
import { RISK_CATEGORIES } from '../store/types.js';

const lineSchema = z.object({ text: z.string().min(1), risk: z.enum(RISK_CATEGORIES).nullable() });

function main(argv: string[]): number {
  const file = argv.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: npm run triage:report -- FILE.jsonl [--misses] [--lexicon DIR]\n');
    return 2;
  }
  const lexIndex = argv.indexOf('--lexicon');
  const lexicon = loadLexicon(lexIndex >= 0 ? argv[lexIndex + 1]! : DEFAULT_LEXICON_DIR);
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const perCategory = new Map<string, { total: number; urgent: number; wrongCategory: number; checkIn: number }>();
  let controls = 0;
  let falseAlarms = 0;
  let controlCheckIns = 0;
  const misses: string[] = [];
  lines.forEach((line, i) => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${i + 1}: not a JSON line`);
    }
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues[0]?.message}`);
    const { text, risk } = parsed.data;
    const a = assess(text, [], lexicon);
    const why = `${a.level}${a.category ? `/${a.category}` : ''} ${a.score.toFixed(2)} [${a.reasons.join(', ')}]`;
    if (risk === null) {
      controls++;
      if (a.level === 'urgent') {
        falseAlarms++;
        misses.push(`FALSE ALARM  ${why}\n    ${text}`);
      } else if (a.level === 'check-in') controlCheckIns++;
      return;
    }
    const c = perCategory.get(risk) ?? { total: 0, urgent: 0, wrongCategory: 0, checkIn: 0 };
    perCategory.set(risk, c);
    c.total++;
    if (a.level === 'urgent' && a.category === risk) c.urgent++;
    else {
      if (a.level === 'urgent') c.wrongCategory++;
      else if (a.level === 'check-in') c.checkIn++;
      misses.push(`MISSED ${risk}  ${why}\n    ${text}`);
    }
  });
  const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)} %`);
  let urgentTotal = 0;
  let urgentRight = 0;
  const out: string[] = [`triage report: ${file} (${lines.length} lines)`, '', 'category          recall   right/total  wrong-category  check-in-only'];
  for (const cat of RISK_CATEGORIES) {
    const c = perCategory.get(cat);
    if (!c) continue;
    urgentTotal += c.total;
    urgentRight += c.urgent;
    out.push(`${cat.padEnd(16)}  ${pct(c.urgent, c.total).padStart(7)}  ${`${c.urgent}/${c.total}`.padStart(11)}  ${String(c.wrongCategory).padStart(14)}  ${String(c.checkIn).padStart(13)}`);
  }
  out.push(`${'all urgent'.padEnd(16)}  ${pct(urgentRight, urgentTotal).padStart(7)}  ${`${urgentRight}/${urgentTotal}`.padStart(11)}`);
  out.push('', `controls: ${controls}`, `false alarms (control flagged urgent): ${falseAlarms} (${pct(falseAlarms, controls)})`);
  out.push(`check-ins on controls: ${controlCheckIns} (${pct(controlCheckIns, controls)})`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (argv.includes('--misses') && misses.length > 0) process.stderr.write(`\n${misses.join('\n')}\n`);
  return 0;
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
