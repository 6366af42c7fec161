import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import type { CentreInfo } from '../server/config.js';
import type { KnowledgeEntry } from './entry.js';
import { checkFacts, describeFactProblem, textOutsideQuantities } from './fact-check.js';
import { renderCentrePlaceholders, toPlainText } from './render.js';

/**
 * Optional: an LLM rewrites the answer from the top entries in friendlier words. It
 * may only restate them: a reply that cites no entry, holds a number the entries do
 * not, or says an amount, age, date or coefficient of another group than the entries
 * do (src/kb/fact-check.ts: "khuyết tật nặng: 1.000.000 đồng" when 1.000.000 đồng is
 * for "đặc biệt nặng") is thrown away and the entry's own text is used.
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

export interface PhrasingReview {
  phrased: Phrased | null;
  /** Why a reply that restates numbers was refused, one line each, for a log; empty otherwise. */
  problems: string[];
}

/**
 * Checks an LLM reply against its entries. Amounts, ages, dates, coefficients,
 * percentages and counts of days or months must be entry facts said of a compatible
 * group (checkFacts); any other number ("111", "Điều 6") must appear in the entries.
 *
 * @example
 * reviewPhrasing('Khuyết tật nặng: 1.000.000 đồng [1].', [nktEntry], centre).problems
 * // → ['1.000.000 đồng (money): reply says "nặng" but 1.000.000 đồng (nkt-muc-tro-cap-hang-thang) is for "đặc biệt nặng"']
 */
export function reviewPhrasing(
  reply: string,
  entries: readonly KnowledgeEntry[],
  centre: CentreInfo,
  options: { at?: Date } = {},
): PhrasingReview {
  const refused = (problems: string[] = []): PhrasingReview => ({ phrased: null, problems });
  const markers = [...reply.matchAll(/\[(\d)\]/g)].map((m) => Number(m[1]));
  if (/KHÔNG BIẾT/i.test(reply) || markers.length === 0) return refused();
  if (markers.some((n) => n < 1 || n > entries.length)) return refused();
  const cited = [...new Set(markers)].map((n) => entries[n - 1]!);
  const withoutMarkers = reply.replace(/\[\d\]/g, '');
  const rendered = entries.map((e) => ({ id: e.id, body: renderCentrePlaceholders(e.body, centre), source: e.source, effective: e.effective }));
  const facts = checkFacts(withoutMarkers, rendered, options);
  if (facts.length > 0) return refused(facts.map(describeFactProblem));
  // Numbers that are not quantities (phone numbers, article numbers) must still be in the entries.
  const allowed = new Set<string>();
  for (const e of rendered) for (const n of numbersIn(`${e.body} ${e.source} ${e.effective}`)) allowed.add(n);
  const unknown = [...numbersIn(textOutsideQuantities(withoutMarkers))].filter((n) => !allowed.has(n));
  if (unknown.length > 0) return refused(unknown.map((n) => `${n}: no entry has this number`));
  return { phrased: { text: withoutMarkers.replace(/[ \t]+([.,;:])/g, '$1').replace(/ {2,}/g, ' ').trim(), cited }, problems: [] };
}

/** Checks an LLM reply against its entries; returns the cited entries or null. */
export function validatePhrasing(reply: string, entries: readonly KnowledgeEntry[], centre: CentreInfo): Phrased | null {
  return reviewPhrasing(reply, entries, centre).phrased;
}

/** A phrased reply the checks refused; `problems` name each number and why. */
export class PhrasingRejected extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`reply refused: ${problems.join('; ')}`);
    this.name = 'PhrasingRejected';
  }
}

export class LlmPhraser implements Phraser {
  constructor(
    private readonly model: BaseChatModel,
    private readonly onError: (err: unknown) => void = () => {},
    /** Told why a reply was refused (a swapped or unknown number), so a log line can name it. */
    private readonly onRejected: (problems: readonly string[]) => void = () => {},
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
      const review = reviewPhrasing(text, entries, centre);
      if (review.problems.length > 0) this.onRejected(review.problems);
      return review.phrased;
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

/** Whether an OpenAI (or OpenAI-compatible local server) endpoint is configured. */
export function hasLlmEndpoint(config: Pick<LlmConfig, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL'>): boolean {
  return Boolean(config.OPENAI_API_KEY || config.OPENAI_BASE_URL);
}

/**
 * How every LangChain OpenAI client (chat, embeddings) reaches the configured endpoint:
 * 15 s per call, one retry, a placeholder key for a local server that needs none.
 */
export function llmEndpointOptions(config: Pick<LlmConfig, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL'>) {
  return {
    timeout: 15_000,
    maxRetries: 1,
    apiKey: config.OPENAI_API_KEY ?? 'not-needed-for-local-server',
    configuration: config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : undefined,
  };
}

/** The configured OpenAI (or OpenAI-compatible local server) chat model; undefined when none is. */
export async function createConfiguredChatModel(config: LlmConfig): Promise<BaseChatModel | undefined> {
  if (!hasLlmEndpoint(config)) return undefined;
  const { ChatOpenAI } = await import('@langchain/openai');
  return new ChatOpenAI({ model: config.LLM_MODEL, temperature: 0, ...llmEndpointOptions(config) });
}

/**
 * Builds the OpenAI (or OpenAI-compatible local server) phraser when configured. A
 * refused reply is reported to `onRejected`, by default to `onError` as a
 * {@link PhrasingRejected}, so the existing warning names the number and why.
 */
export async function createConfiguredPhraser(
  config: LlmConfig,
  onError?: (err: unknown) => void,
  onRejected: ((problems: readonly string[]) => void) | undefined = onError ? (problems) => onError(new PhrasingRejected(problems)) : undefined,
): Promise<Phraser | undefined> {
  const model = await createConfiguredChatModel(config);
  return model ? new LlmPhraser(model, onError, onRejected) : undefined;
}
