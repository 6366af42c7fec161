/**
 * Sends stored messages to Telegram for the outbox (src/bots/outbox.ts), and says what a
 * failure means: 429 is a wait for `retry_after` seconds; 5xx and network errors are
 * worth another try; 403 (the citizen blocked the bot or deleted the chat) and 400 "chat
 * not found" are final. Quick replies become a one-time reply keyboard, so a tap sends
 * the choice back as ordinary text; a long text is split at 4096 characters, the keyboard
 * on the last part.
 *
 * @example outbox.register(new TelegramSender(new Telegram(token, { apiRoot })));
 */
import type { Activity } from 'botbuilder';
import { TelegramError, type Telegram } from 'telegraf';
import type { Conversation } from '../../store/types.js';
import { choicesOf } from '../channel-adapter.js';
import { DeliveryError, type ChannelSender } from '../outbox.js';
import { splitText } from '../split-text.js';

/** Telegram's limit on one message, after entity parsing. */
const MAX_TEXT = 4096;

export class TelegramSender implements ChannelSender {
  readonly channel = 'telegram' as const;

  constructor(private readonly telegram: Pick<Telegram, 'sendMessage'>) {}

  async send(conversation: Conversation, activity: Partial<Activity>): Promise<{ platformMessageId: string | null }> {
    const choices = choicesOf(activity);
    const reply_markup = choices.length
      ? { keyboard: choices.map((c) => [{ text: c }]), one_time_keyboard: true, resize_keyboard: true }
      : { remove_keyboard: true as const };
    const parts = splitText(activity.text ?? '', MAX_TEXT);
    let last: string | null = null;
    try {
      for (const [i, part] of parts.entries()) {
        const sent = await this.telegram.sendMessage(conversation.chatId, part, i === parts.length - 1 ? { reply_markup } : {});
        last = `${sent.chat.id}:${sent.message_id}`;
      }
    } catch (err) {
      throw classify(err);
    }
    return { platformMessageId: last };
  }
}

/** What a failed Bot API call means for the outbox. Codes carry no chat id or text. */
export function classify(err: unknown): DeliveryError {
  if (err instanceof TelegramError) {
    const code = err.code;
    if (code === 429) return new DeliveryError('retry', 'rate-limited', (err.parameters?.retry_after ?? 1) * 1000);
    if (code === 403) return new DeliveryError('permanent', 'blocked');
    if (code === 400 && /chat not found|user not found|PEER_ID_INVALID/i.test(err.description ?? '')) return new DeliveryError('permanent', 'invalid-recipient');
    if (code === 400) return new DeliveryError('permanent', 'bad-request');
    return new DeliveryError('retry', `http-${code}`);
  }
  return new DeliveryError('retry', 'network');
}
