import type { CentreInfo } from '../server/config.js';
import { renderPolicyPlaceholders, type PolicyContext } from './policy-values.js';

/**
 * Fills {{centre.*}} placeholders. A centre that has not configured a fact gets a plain
 * phrase instead of an empty gap or somebody else's number.
 */
const FALLBACK: Record<keyof Omit<CentreInfo, 'name'>, string> = {
  hotline: 'đường dây nóng của trung tâm',
  address: 'trụ sở trung tâm (UBND xã, phường có thể chỉ đường)',
  // Entries write "trong giờ {{centre.hours}}", so the fallback is the words after "giờ".
  hours: 'hành chính',
};

export function renderCentrePlaceholders(text: string, centre: CentreInfo): string {
  return text.replace(/\{\{\s*centre\.(name|hotline|address|hours)\s*\}\}/g, (_m, key: keyof CentreInfo) => {
    if (key === 'name') return centre.name;
    return centre[key] ?? FALLBACK[key];
  });
}

/**
 * The text a citizen reads from an entry body: `{{policy.*}}` filled with the values in
 * force at `policy.at` (without values, each shows the safe fallback phrase, never the
 * placeholder), then `{{centre.*}}`, then plain text.
 *
 * @example
 * renderAnswerText(entry.body, centre, { values: kb.policyValues, at: now() })
 */
export function renderAnswerText(body: string, centre: CentreInfo, policy?: PolicyContext): string {
  const filled = renderPolicyPlaceholders(body, policy?.values ?? new Map(), policy?.at ?? new Date());
  return toPlainText(renderCentrePlaceholders(filled, centre));
}

/** Markdown the chat channels do not render: bold markers and heading hashes. */
export function toPlainText(markdown: string): string {
  return markdown
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/^#+\s*/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** 2024-07-01 → 01/7/2024, the way Vietnamese documents write dates. */
export function formatVietnameseDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  if (!m) return y ?? iso;
  if (!d) return `${Number(m)}/${y}`;
  return `${d}/${Number(m)}/${y}`;
}
