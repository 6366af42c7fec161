import { describe, expect, it } from 'vitest';
import { splitText } from '../src/bots/split-text.js';

describe('splitting long messages', () => {
  it('keeps a short message whole', () => {
    expect(splitText('Xin chào', 4096)).toEqual(['Xin chào']);
    expect(splitText('', 10)).toEqual(['']);
  });

  it('cuts at paragraph, line or word boundaries and loses nothing', () => {
    const text = `${'một hai ba '.repeat(30)}\n\n${'bốn năm sáu '.repeat(30)}`;
    const parts = splitText(text, 200);
    expect(parts.every((p) => p.length <= 200)).toBe(true);
    expect(parts.join(' ').replace(/\s+/g, ' ').trim()).toBe(text.replace(/\s+/g, ' ').trim());
    expect(parts.every((p) => p.length > 0 && p === p.trim())).toBe(true);
  });

  it('cuts a word with no spaces at the limit', () => {
    expect(splitText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });
});
