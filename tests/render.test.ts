import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../src/kb/loader.js';
import { loadPolicyValues, renderPolicyPlaceholders } from '../src/kb/policy-values.js';
import { formatVietnameseDate, renderCentrePlaceholders, toPlainText } from '../src/kb/render.js';

const { entries } = loadKnowledge(join(import.meta.dirname, '..', 'knowledge'));
const { values } = loadPolicyValues(join(import.meta.dirname, '..', 'knowledge'));

describe('centre facts in answers', () => {
  it('fills configured facts', () => {
    const text = renderCentrePlaceholders('Gọi {{centre.hotline}} trong giờ {{centre.hours}} tại {{ centre.address }} – {{centre.name}}', {
      name: 'Trung tâm A',
      hotline: '0000 000 000',
      hours: '7h30–17h',
      address: 'số 1 đường B',
    });
    expect(text).toBe('Gọi 0000 000 000 trong giờ 7h30–17h tại số 1 đường B – Trung tâm A');
  });

  it('reads naturally in every entry when the centre has configured nothing but its name', () => {
    for (const at of [new Date('2026-12-31T12:00:00+07:00'), new Date('2027-01-01T12:00:00+07:00')]) {
      for (const e of entries) {
        const text = renderCentrePlaceholders(renderPolicyPlaceholders(e.body, values, at), { name: 'Trung tâm Công tác xã hội' });
        expect(text, e.id).not.toMatch(/\{\{|\}\}/);
        expect(text, e.id).not.toMatch(/giờ giờ|gọi gọi|tại tại/i);
      }
    }
  });

  it('drops Markdown the chat channels do not render and writes dates the Vietnamese way', () => {
    expect(toPlainText('## Tiêu đề\n**750.000 đồng**\n\n\n\nhết')).toBe('Tiêu đề\n750.000 đồng\n\nhết');
    expect(formatVietnameseDate('2024-07-01')).toBe('01/7/2024');
    expect(formatVietnameseDate('2025-03')).toBe('3/2025');
    expect(formatVietnameseDate('2017')).toBe('2017');
  });
});
