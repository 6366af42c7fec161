/**
 * A photo, sticker or voice message: the bot reads text only, so it says kindly what it
 * could not read, asks for words and offers a person. Put it after the handoff gate (a
 * counsellor holding the conversation sees the attachment in the console, with a link).
 */
import type { Step } from '../chain.js';
import { CHOICE_COUNSELLOR, type Reply } from '../replies.js';

export const NON_TEXT_REPLY: Reply = {
  text: 'Hiện mình chỉ đọc được tin nhắn chữ. Bạn viết câu hỏi giúp mình nhé (không dấu cũng được).',
  choices: [CHOICE_COUNSELLOR],
};

/** The reply for what was sent: a voice note, a picture, or anything else. */
export function nonTextReply(media: readonly string[] = []): Reply {
  if (media.some((m) => m.startsWith('audio/'))) {
    return { text: 'Mình chưa nghe được tin nhắn thoại. Bạn gõ chữ giúp mình (không dấu cũng được), hoặc chọn Gặp tư vấn viên nhé.', choices: [CHOICE_COUNSELLOR] };
  }
  if (media.some((m) => m.startsWith('image/') || m.startsWith('video/'))) {
    return { text: 'Mình chưa xem được ảnh hay video. Bạn gõ chữ kể giúp mình (không dấu cũng được), hoặc chọn Gặp tư vấn viên nhé.', choices: [CHOICE_COUNSELLOR] };
  }
  return NON_TEXT_REPLY;
}

export const nonTextStep: Step = (turn, next) => (turn.text ? next() : [{ type: 'reply', reply: nonTextReply(turn.media) }]);
