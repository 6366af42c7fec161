import { describe, expect, it } from 'vitest';
import { readableRun } from '../src/bots/directline/readable.js';
import type { StoredMessage } from '../src/store/types.js';

const now = new Date('2026-11-22T08:00:10Z');
const m = (position: number, secondsAgo: number): StoredMessage => ({
  id: `m${position}`,
  seq: position * 10,
  position,
  conversationId: 'c',
  channel: 'webchat',
  direction: 'out',
  platformMessageId: null,
  text: String(position),
  activity: {},
  createdAt: new Date(now.getTime() - secondsAgo * 1000),
  handledAt: null,
  delivery: { status: 'sent', attempts: 0, nextAttemptAt: null, error: null, sentAt: new Date(now.getTime() - secondsAgo * 1000) },
});

describe('what a Direct Line poll may hand out', () => {
  it('hands out a gap-free run after the watermark', () => {
    expect(readableRun([m(3, 1), m(4, 0)], 2, now).map((x) => x.position)).toEqual([3, 4]);
  });

  it('stops before a position another instance may still be writing', () => {
    expect(readableRun([m(3, 1), m(5, 0), m(6, 0)], 2, now).map((x) => x.position)).toEqual([3]);
    expect(readableRun([m(4, 0)], 2, now)).toEqual([]);
  });

  it('steps over a gap once the message after it is older than the grace time', () => {
    expect(readableRun([m(3, 30), m(5, 20), m(6, 0)], 2, now).map((x) => x.position)).toEqual([3, 5, 6]);
  });
});
