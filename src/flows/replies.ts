import type { KnowledgeEntry } from '../kb/entry.js';
import type { Phrased } from '../kb/llm-phrasing.js';
import { policySourcesIn, type PolicyContext } from '../kb/policy-values.js';
import { foldedPhrase } from '../kb/normalize.js';
import { formatVietnameseDate, renderAnswerText } from '../kb/render.js';
import type { CentreInfo } from '../server/config.js';

/**
 * Everything the citizen reads, in one place: short, kind Vietnamese. Pure functions
 * from decisions to reply content; channels render `choices` as their own buttons.
 */

export interface Reply {
  text: string;
  /** Quick replies; tapping one sends its text back as the citizen's message. */
  choices: string[];
}

export const CHOICE_COUNSELLOR = 'Gặp tư vấn viên';
/** Starts the guided intake (src/flows/steps/intake-step.ts recognises it). */
export const CHOICE_INTAKE = 'Điền phiếu tiếp nhận';
export const CHOICE_ASK_AGAIN = 'Hỏi câu khác';
/** Under an answer: the citizen says it did not help; the question goes to the staff's inbox. */
export const CHOICE_NOT_HELPFUL = 'Chưa đúng ý';

export function citation(entry: KnowledgeEntry, policy?: PolicyContext): string {
  // A value's document not already named by the entry (an amount staff changed under a new decree) is named too.
  const documentOf = (source: string) => source.split(/[,;(]/)[0]!.trim();
  const extra = policy ? policySourcesIn(entry.body, policy.values, policy.at).filter((s) => !entry.source.includes(documentOf(s))) : [];
  return `Nguồn: ${[entry.source, ...extra].join('; ')} (thông tin rà soát ngày ${formatVietnameseDate(entry.reviewed)}).`;
}

/**
 * The entry's answer and its source; or an LLM's rewording of the entries it cites.
 * `policy` holds the dated values and the moment of the answer: each `{{policy.*}}`
 * shows the value in force then.
 */
export function answerReply(entry: KnowledgeEntry, centre: CentreInfo, phrased?: Phrased, policy?: PolicyContext): Reply {
  const body = phrased?.text ?? renderAnswerText(entry.body, centre, policy);
  const sources = (phrased?.cited ?? [entry]).map((e) => citation(e, policy)).join('\n');
  return { text: `${body}\n\n${sources}`, choices: [CHOICE_ASK_AGAIN, CHOICE_NOT_HELPFUL, CHOICE_COUNSELLOR] };
}

/** The two or three likely questions, each as the entry phrasing a tap answers at once. */
export function clarifyReply(options: readonly string[]): Reply {
  return {
    text: 'Mình chưa chắc bạn muốn hỏi điều nào. Bạn bấm chọn một câu dưới đây, hoặc viết rõ hơn một chút nhé.',
    choices: [...options, CHOICE_COUNSELLOR],
  };
}

/**
 * A question that belongs to another office: the referral entry says kindly who handles
 * it and how to reach them. No citation: nothing here is policy of ours.
 */
export function referralReply(entry: KnowledgeEntry, centre: CentreInfo): Reply {
  return { text: renderAnswerText(entry.body, centre), choices: [CHOICE_ASK_AGAIN, CHOICE_COUNSELLOR] };
}

export function declineReply(centre: CentreInfo): Reply {
  const hotline = centre.hotline ? ` hoặc gọi ${centre.hotline}` : '';
  return {
    text:
      `Xin lỗi, câu này mình chưa có thông tin chắc chắn nên không dám trả lời sai. ` +
      `Bạn có thể gặp tư vấn viên của ${centre.name}${hotline}, ` +
      `hoặc hỏi UBND xã, phường nơi bạn ở.`,
    choices: [CHOICE_COUNSELLOR, CHOICE_ASK_AGAIN],
  };
}

export function greetingReply(centre: CentreInfo): Reply {
  return {
    text:
      `Xin chào! Mình là trợ lý tự động của ${centre.name}. ` +
      `Bạn cứ hỏi về trợ cấp, giấy tờ, hỗ trợ cho người già, người khuyết tật, trẻ em… ` +
      `Viết không dấu cũng được. Ví dụ: "tro cap nguoi gia bao nhieu".`,
    choices: ['Trợ cấp người cao tuổi', 'Trợ cấp người khuyết tật', CHOICE_INTAKE, CHOICE_COUNSELLOR],
  };
}

/** The citizen asked for a person: the request is queued for the counsellors. */
export function counsellorRequestedReply(centre: CentreInfo): Reply {
  const hours = centre.hours ? ` (${centre.hours})` : ' trong giờ làm việc';
  const hotline = centre.hotline ? ` Cần nói chuyện ngay thì bạn gọi ${centre.hotline}.` : '';
  return {
    text:
      `Mình đã chuyển yêu cầu gặp tư vấn viên của bạn tới ${centre.name}. ` +
      `Tư vấn viên sẽ nhắn lại bạn ngay trong khung chat này${hours}.${hotline}\n\n` +
      `Trong lúc chờ, bạn có thể điền phiếu tiếp nhận để cán bộ nắm trước việc cần giúp. ` +
      `Nếu đang gặp nguy hiểm, đừng chờ: gọi 113 (công an), 115 (cấp cứu), 111 (trẻ em).`,
    choices: [CHOICE_INTAKE, CHOICE_ASK_AGAIN],
  };
}

const BOT_BUTTONS = new Set([CHOICE_ASK_AGAIN, CHOICE_COUNSELLOR, CHOICE_INTAKE, CHOICE_NOT_HELPFUL].map(foldedPhrase));

/** A tap on one of the bot's own buttons (or its words typed): not a question of the citizen's. */
export function isBotButton(text: string): boolean {
  return BOT_BUTTONS.has(foldedPhrase(text));
}

/** The answer did not help: say sorry, ask for other words, offer a person. */
export function notHelpfulReply(): Reply {
  return {
    text: 'Xin lỗi bạn, câu trả lời chưa đúng ý. Mình đã ghi lại để cán bộ bổ sung. Bạn viết lại câu hỏi rõ hơn một chút (không dấu cũng được), hoặc chọn Gặp tư vấn viên nhé.',
    choices: [CHOICE_COUNSELLOR],
  };
}

export function askAgainReply(): Reply {
  return { text: 'Dạ, bạn cứ viết câu hỏi của mình nhé.', choices: [] };
}
