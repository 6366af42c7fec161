import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Direct Line tokens for the public web chat. The page has no secret, so anyone may get
 * a token; a token is bound to one conversation and one web user and is signed, so it
 * cannot be turned into access to another conversation. Stateless: any app instance
 * sharing DIRECTLINE_TOKEN_SECRET can check it.
 */

const payloadSchema = z.object({ c: z.string().min(1), u: z.string().min(1), exp: z.number().int() });
export type TokenClaims = { conversationId: string; userId: string; expiresAt: number };

/** How many verified tokens are remembered; the set is emptied when full. */
const VERIFIED_LIMIT = 2000;

export class DirectLineTokens {
  private readonly key: Buffer;
  /**
   * Tokens already verified, with their claims: a web chat sends its token with every
   * poll and post, and the signature check and parse were a visible part of a turn. Only
   * valid tokens enter; expiry is still checked on every use.
   */
  private readonly verified = new Map<string, TokenClaims>();

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.key = Buffer.from(secret, 'utf8');
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  issue(conversationId: string, userId: string): { token: string; expiresIn: number } {
    const exp = Math.floor(this.nowMs() / 1000) + this.ttlSeconds;
    const body = Buffer.from(JSON.stringify({ c: conversationId, u: userId, exp })).toString('base64url');
    return { token: `${body}.${this.sign(body)}`, expiresIn: this.ttlSeconds };
  }

  /** Claims of a valid, unexpired token; null for anything else. */
  verify(token: string): TokenClaims | null {
    const known = this.verified.get(token);
    if (known) return known.expiresAt * 1000 > this.nowMs() ? { ...known } : null;
    const claims = this.check(token);
    if (claims) {
      if (this.verified.size >= VERIFIED_LIMIT) this.verified.clear();
      this.verified.set(token, claims);
    }
    return claims ? { ...claims } : null;
  }

  private check(token: string): TokenClaims | null {
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined) return null;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const parsed = payloadSchema.safeParse(json);
    if (!parsed.success || parsed.data.exp * 1000 <= this.nowMs()) return null;
    return { conversationId: parsed.data.c, userId: parsed.data.u, expiresAt: parsed.data.exp };
  }
}

export function newConversationId(): string {
  return randomBytes(12).toString('base64url');
}

export function newWebUserId(): string {
  return `dl_${randomBytes(9).toString('base64url')}`;
}
