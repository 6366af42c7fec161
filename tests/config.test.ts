import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../src/server/config.js';

describe('configuration', () => {
  it('starts with defaults on an empty environment: embedded store in ./data', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3978);
    expect(c.DATA_DIR).toBe('./data');
    expect(c.MONGODB_URI).toBeUndefined();
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(c.OPENAI_API_KEY).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ MONGODB_URI: 'postgres://x' }, 'MONGODB_URI'],
    [{ TELEGRAM_BOT_TOKEN: 'not a token' }, 'TELEGRAM_BOT_TOKEN'],
    [{ TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_MODE: 'webhook' }, 'TELEGRAM_WEBHOOK_SECRET'],
    [{ TELEGRAM_MODE: 'carrier-pigeon' }, 'TELEGRAM_MODE'],
    [{ DIRECTLINE_TOKEN_SECRET: 'short' }, 'DIRECTLINE_TOKEN_SECRET'],
    [{ FAQ_ANSWER_THRESHOLD: '0.3', FAQ_CLARIFY_THRESHOLD: '0.6' }, 'FAQ_CLARIFY_THRESHOLD'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('rejects %o naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(variable);
  });

  it('treats blank optional settings as unset', () => {
    const c = loadConfig({ MONGODB_URI: '', TELEGRAM_BOT_TOKEN: '  ', CENTRE_HOTLINE: '' });
    expect(c.MONGODB_URI).toBeUndefined();
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(c.CENTRE_HOTLINE).toBeUndefined();
  });
});

describe('.env.example', () => {
  it('lists every setting, each with a comment above it', () => {
    const lines = readFileSync(new URL('../.env.example', import.meta.url), 'utf8').split('\n');
    for (const key of CONFIG_KEYS) {
      const at = lines.findIndex((l) => l.startsWith(`${key}=`));
      expect(at, key).toBeGreaterThan(0);
      expect(lines.slice(0, at).reverse().find((l) => !/^[A-Z_]+=/.test(l)), key).toMatch(/^#/);
    }
  });
});

describe('handoff settings', () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('stop start-up with the variable named when teams, office hours, routing or on-call are wrong', () => {
    expect(problemsOf({ HANDOFF_TEAMS: 'tam-ly:Tâm lý' }).join('\n')).toMatch(/^HANDOFF_TEAMS: .*chung/m);
    expect(problemsOf({ OFFICE_HOURS: 'thứ hai 8-17' }).join('\n')).toMatch(/^OFFICE_HOURS: /m);
    expect(problemsOf({ HANDOFF_ROUTING: 'round-robin' }).join('\n')).toMatch(/^HANDOFF_ROUTING: must be one of manual, least-busy, area|^HANDOFF_ROUTING: must be one of/m);
    expect(problemsOf({ ONCALL_TELEGRAM_CHAT_ID: '-100123' }).join('\n')).toMatch(/^ONCALL_TELEGRAM_CHAT_ID: needs TELEGRAM_BOT_TOKEN/m);
    expect(problemsOf({ OFFICE_HOURS: 'T2-T6 07:30-11:30,13:30-17:00; T7 07:30-11:30', HANDOFF_ROUTING: 'area' })).toEqual([]);
  });
});

describe('TRUST_PROXY', () => {
  it('takes a hop count or proxy addresses, and refuses "true", which trusts whatever a client sends', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: give the number of proxies/);
    expect(() => loadConfig({ TRUST_PROXY: 'nginx' })).toThrow(/TRUST_PROXY: must be false, a number/);
  });
});
