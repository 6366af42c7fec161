/** `npm run triage:report` as a person runs it: a real child process on the sample set. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

describe('triage:report', () => {
  it('prints recall per category, false alarms and check-ins for a risk set', () => {
    const out = execFileSync('npm', ['run', '--silent', 'triage:report', '--', 'tests/fixtures/eval/risk-sample.jsonl'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    for (const category of ['tu-hai', 'xam-hai-tre-em', 'bao-luc', 'mua-ban-nguoi', 'cap-cuu', 'bo-roi']) {
      expect(out).toMatch(new RegExp(`^${category}\\s+100\\.0 %\\s+3/3`, 'm'));
    }
    expect(out).toMatch(/^all urgent\s+100\.0 %\s+18\/18/m);
    expect(out).toMatch(/^false alarms \(control flagged urgent\): 0 \(0\.0 %\)/m);
    expect(out).toMatch(/^check-ins on controls: \d+/m);
  });

  it('names a bad line and exits non-zero', () => {
    let stderr = '';
    try {
      execFileSync('npm', ['run', '--silent', 'triage:report', '--', 'package.json'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      stderr = String((err as { stderr?: string }).stderr);
    }
    expect(stderr).toContain('package.json:1: not a JSON line');
  });
});
