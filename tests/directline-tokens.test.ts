import { describe, expect, it } from 'vitest';
import { DirectLineTokens } from '../src/bots/directline/tokens.js';

const SECRET = 'test-secret-test-secret-test-secret-0123';

describe('Direct Line tokens', () => {
  it('accepts its own token until it expires, also when it was checked before', () => {
    let now = Date.UTC(2026, 11, 1, 8, 0, 0);
    const tokens = new DirectLineTokens(SECRET, 60, () => now);
    const { token } = tokens.issue('conv-1', 'dl_user');
    expect(tokens.verify(token)).toEqual({ conversationId: 'conv-1', userId: 'dl_user', expiresAt: now / 1000 + 60 });
    expect(tokens.verify(token)?.conversationId).toBe('conv-1');
    now += 61_000;
    expect(tokens.verify(token)).toBeNull();
  });

  it('refuses a token signed with another secret, a changed body or a changed signature', () => {
    const tokens = new DirectLineTokens(SECRET, 60);
    const other = new DirectLineTokens(`${SECRET}-other`, 60);
    const { token } = other.issue('conv-1', 'dl_user');
    expect(tokens.verify(token)).toBeNull();
    const mine = tokens.issue('conv-2', 'dl_user').token;
    expect(tokens.verify(mine)).not.toBeNull();
    const [body, sig] = mine.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ c: 'conv-3', u: 'dl_user', exp: 9_999_999_999 })).toString('base64url');
    expect(tokens.verify(`${forged}.${sig}`)).toBeNull();
    expect(tokens.verify(`${body}.${sig.slice(0, -2)}xx`)).toBeNull();
    expect(tokens.verify(`${body}.${sig}.extra`)).toBeNull();
    expect(tokens.verify('')).toBeNull();
  });

  it('hands out claims a caller cannot change for the next request', () => {
    const tokens = new DirectLineTokens(SECRET, 60);
    const { token } = tokens.issue('conv-1', 'dl_user');
    const claims = tokens.verify(token)!;
    claims.conversationId = 'conv-9';
    expect(tokens.verify(token)?.conversationId).toBe('conv-1');
  });
});
