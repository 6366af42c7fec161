/**
 * An optional second opinion from an LLM on messages the lexicon did not find urgent.
 * It may only RAISE the level (none → check-in → urgent), never lower one: the offline
 * lexicon alone must meet the bar, and a model that is down, slow or wrong can then
 * only cost a counsellor a minute, never hide a person in danger. Off unless
 * TRIAGE_LLM_SECOND_OPINION=true and an LLM is configured.
 *
 * @example raiseOnly(assess(text, [], lexicon), await opinion.review(text, []))
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { RISK_CATEGORIES, type RiskCategory } from '../../store/types.js';
import type { Assessment, AssessedLevel } from './assess.js';

export interface Opinion {
  level: AssessedLevel;
  category: RiskCategory | null;
}

export interface SecondOpinion {
  /** The model's view of the message, or null when it failed or answered nonsense. */
  review(text: string, earlier: readonly string[]): Promise<Opinion | null>;
}

const RANK: Record<AssessedLevel, number> = { none: 0, 'check-in': 1, urgent: 2 };

/** The higher of the two levels; the lexicon's own decision is kept whenever it is as high. */
export function raiseOnly(assessment: Assessment, opinion: Opinion | null): Assessment {
  if (!opinion || RANK[opinion.level] <= RANK[assessment.level]) return assessment;
  return {
    ...assessment,
    level: opinion.level,
    category: opinion.category ?? assessment.category,
    reasons: [...assessment.reasons, `llm:${opinion.level}`],
  };
}

const opinionSchema = z.object({
  level: z.enum(['none', 'check-in', 'urgent']),
  category: z.enum(RISK_CATEGORIES).nullable().optional(),
});

const SYSTEM = `Bạn hỗ trợ sàng lọc nguy cơ cho trung tâm công tác xã hội. Đọc tin nhắn của người dân (có thể không dấu, viết tắt, tiếng địa phương).
Trả lời DUY NHẤT một dòng JSON: {"level": "none" | "check-in" | "urgent", "category": "tu-hai" | "xam-hai-tre-em" | "bao-luc" | "mua-ban-nguoi" | "cap-cuu" | "bo-roi" | null}.
urgent: ai đó đang gặp nguy hiểm NGAY BÂY GIỜ: tự tử/tự hại (tu-hai), trẻ em bị xâm hại/đánh/bỏ mặc (xam-hai-tre-em), bạo lực đang xảy ra hoặc bị đe dọa (bao-luc), bị mua bán/giữ/lừa ra nước ngoài (mua-ban-nguoi), cấp cứu y tế (cap-cuu), trẻ em/người già/người khuyết tật bị bỏ rơi, đi lạc, không ai chăm (bo-roi).
check-in: có dấu hiệu đau khổ mơ hồ, cần hỏi lại. none: hỏi thông tin, chuyện đã qua, chuyện trong phim truyện, nói quá.`;

/** Reads the first JSON object in a model's answer; null when there is none or it is invalid. */
export function parseOpinion(answer: string): Opinion | null {
  const match = /\{[\s\S]*?\}/.exec(answer);
  if (!match) return null;
  try {
    const parsed = opinionSchema.safeParse(JSON.parse(match[0]));
    if (!parsed.success) return null;
    return { level: parsed.data.level, category: parsed.data.category ?? null };
  } catch {
    return null;
  }
}

export class LlmSecondOpinion implements SecondOpinion {
  constructor(
    private readonly model: BaseChatModel,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  async review(text: string, earlier: readonly string[]): Promise<Opinion | null> {
    const history = earlier.length > 0 ? `Các tin nhắn trước (cũ nhất trước):\n${earlier.map((e) => `- ${e}`).join('\n')}\n\n` : '';
    try {
      const res = await this.model.invoke([new SystemMessage(SYSTEM), new HumanMessage(`${history}Tin nhắn: ${text}`)]);
      const content = typeof res.content === 'string' ? res.content : res.content.map((c) => ('text' in c ? c.text : '')).join('');
      return parseOpinion(content);
    } catch (err) {
      this.onError(err);
      return null;
    }
  }
}
