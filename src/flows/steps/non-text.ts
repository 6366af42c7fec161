/**
 * A photo, sticker or voice message: the bot reads text only, so it asks for words and
 * offers a person. Put it after the handoff gate (a counsellor sees the attachment).
 */
import type { Step } from '../chain.js';
import { CHOICE_COUNSELLOR, type Reply } from '../replies.js';

export const NON_TEXT_REPLY: Reply = {
  text: 'Hiện mình chỉ đọc được tin nhắn chữ. Bạn viết câu hỏi giúp mình nhé (không dấu cũng được).',
  choices: [CHOICE_COUNSELLOR],
};

export const nonTextStep: Step = (turn, next) => (turn.text ? next() : [{ type: 'reply', reply: NON_TEXT_REPLY }]);
