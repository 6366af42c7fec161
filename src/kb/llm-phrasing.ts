import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import type { CentreInfo } from '../server/config.js';
import type { KnowledgeEntry } from './entry.js';
import { renderCentrePlaceholders, toPlainText } from './render.js';

/**
 * Optional: an LLM rewrites the answer from the top entries in friendlier words. It
 * may only restate them: a reply that cites no entry, or holds a number or date the
 * entries do not, is thrown away and the entry's own text is used.
 */

export interface Phrased {
  text: string;
  cited: KnowledgeEntry[];
}

export interface Phraser {
  phrase(question: string, entries: readonly KnowledgeEntry[], centre: CentreInfo): Promise<Phrased | null>;
}

const SYSTEM = [
  'Bạn là trợ lý của một trung tâm công tác xã hội ở Việt Nam.',
  'Chỉ trả lời bằng thông tin trong các mục [1], [2], [3] được cung cấp; không thêm con số, ngày tháng hay điều kiện nào khác.',
  'Viết tiếng Việt có dấu, ngắn gọn (dưới 120 chữ), dễ hiểu, lịch sự.',
  'Ghi số mục đã dùng trong ngoặc vuông, ví dụ [1].',
  'Nếu các mục không trả lời được câu hỏi, chỉ viết: KHÔNG BIẾT',
].join(' ');

/** Digit runs with separators and leading zeros dropped: "01/7/2024" → 1, 7, 2024. */
export function numbersIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\d[\d.,]*/g)) {
    const digits = m[0].replace(/[.,]/g, '').replace(/^0+(?=\d)/, '');
    out.add(digits);
  }
  return out;
}

/** Checks an LLM reply against its entries; returns the cited entries or null. */
export function validatePhrasing(reply: string, entries: readonly KnowledgeEntry[], centre: CentreInfo): Phrased | null {
  const markers = [...reply.matchAll(/\[(\d)\]/g)].map((m) => Number(m[1]));
  if (/KHÔNG BIẾT/i.test(reply) || markers.length === 0) return null;
  if (markers.some((n) => n < 1 || n > entries.length)) return null;
  const cited = [...new Set(markers)].map((n) => entries[n - 1]!);
  const allowed = new Set<string>();
  for (const e of entries) {
    const text = `${renderCentrePlaceholders(e.body, centre)} ${e.source} ${e.effective}`;
    for (const n of numbersIn(text)) allowed.add(n);
  }
  const withoutMarkers = reply.replace(/\[\d\]/g, '');
  for (const n of numbersIn(withoutMarkers)) if (!allowed.has(n)) return null;
  return { text: withoutMarkers.replace(/[ \t]+([.,;:])/g, '$1').replace(/ {2,}/g, ' ').trim(), cited };
}

export class LlmPhraser implements Phraser {
  constructor(
    private readonly model: BaseChatModel,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  async phrase(question: string, entries: readonly KnowledgeEntry[], centre: CentreInfo): Promise<Phrased | null> {
    if (entries.length === 0) return null;
    const context = entries
      .map((e, i) => `[${i + 1}] ${e.questions[0]}\n${toPlainText(renderCentrePlaceholders(e.body, centre))}`)
      .join('\n\n');
    try {
      const res = await this.model.invoke([
        new SystemMessage(SYSTEM),
        new HumanMessage(`Các mục:\n${context}\n\nCâu hỏi của người dân: ${question}`),
      ]);
      const text = typeof res.content === 'string' ? res.content : res.content.map((c) => ('text' in c ? c.text : '')).join('');
      return validatePhrasing(text, entries, centre);
    } catch (err) {
      this.onError(err);
      return null;
    }
  }
}

export interface LlmConfig {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  LLM_MODEL: string;
}

/** The configured OpenAI (or OpenAI-compatible local server) chat model; undefined when none is. */
export async function createConfiguredChatModel(config: LlmConfig): Promise<BaseChatModel | undefined> {
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) return undefined;
  const { ChatOpenAI } = await import('@langchain/openai');
  return new ChatOpenAI({
    model: config.LLM_MODEL,
    temperature: 0,
    timeout: 15_000,
    maxRetries: 1,
    apiKey: config.OPENAI_API_KEY ?? 'not-needed-for-local-server',
    configuration: config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : undefined,
  });
}

/** Builds the OpenAI (or OpenAI-compatible local server) phraser when configured. */
export async function createConfiguredPhraser(config: LlmConfig, onError?: (err: unknown) => void): Promise<Phraser | undefined> {
  const model = await createConfiguredChatModel(config);
  return model ? new LlmPhraser(model, onError) : undefined;
}
