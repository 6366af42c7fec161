import { ActivityHandler, ConversationState, MessageFactory, type Storage, type TurnContext } from 'botbuilder';
import { CONVERSATION_KEY } from '../bots/turn-runner.js';
import type { AuditRepository, Conversation, ConversationRepository } from '../store/types.js';
import type { AnswerPipeline } from './answer.js';
import type { Reply } from './replies.js';

export const NON_TEXT_REPLY: Reply = {
  text: 'Hiện mình chỉ đọc được tin nhắn chữ. Bạn viết câu hỏi giúp mình nhé (không dấu cũng được).',
  choices: ['Gặp tư vấn viên'],
};

/**
 * Per-conversation state in the store (only a turn count until the intake dialogs
 * land). botbuilder's BotState writes it with eTag '*', last write wins; the store's
 * eTag check is there for state that must not be overwritten blindly.
 */
interface TurnMemory {
  turns?: number;
}

/** Renders a Reply as an Activity: text plus quick replies as suggested actions. */
export function replyActivity(reply: Reply) {
  return reply.choices.length > 0 ? MessageFactory.suggestedActions(reply.choices, reply.text) : MessageFactory.text(reply.text);
}

/**
 * The assistant's bot: every message goes through the answer pipeline (triage first,
 * then the FAQ). Intake dialogs and counsellor handover hang on here in later steps;
 * conversation state already lives in the store through botbuilder's Storage.
 */
export class CtxhBot extends ActivityHandler {
  private readonly conversationState: ConversationState;
  private readonly memory;

  constructor(
    private readonly deps: {
      pipeline: AnswerPipeline;
      storage: Storage;
      audit: AuditRepository;
      conversations: ConversationRepository;
      now: () => Date;
    },
  ) {
    super();
    this.conversationState = new ConversationState(deps.storage);
    this.memory = this.conversationState.createProperty<TurnMemory>('memory');
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const memory = await this.memory.get(context, {});
    memory.turns = (memory.turns ?? 0) + 1;
    const text = (context.activity.text ?? '').trim();
    if (!text) {
      await context.sendActivity(replyActivity(NON_TEXT_REPLY));
      return;
    }
    const result = await this.deps.pipeline.answer(text);
    const conversation = context.turnState.get(CONVERSATION_KEY) as Conversation | undefined;
    if (result.handoff && conversation && conversation.status === 'bot') {
      // Queued before the reply goes out, so "a counsellor will answer" is already true in the store.
      await this.deps.conversations.setStatus(conversation.id, 'queued', this.deps.now());
      await this.deps.audit.append({
        at: this.deps.now(),
        actor: 'bot',
        action: 'handoff.requested',
        subject: conversation.id,
        detail: { risk: result.risk, topic: result.topic },
      });
    }
    await context.sendActivity(replyActivity(result.reply));
    // The audit trail keeps what the bot decided, never what the citizen wrote.
    await this.deps.audit.append({
      at: this.deps.now(),
      actor: 'bot',
      action: `faq.${result.kind}`,
      subject: conversation?.id ?? String(context.activity.conversation?.id ?? ''),
      detail: { entryId: result.entryId, topic: result.topic, confidence: Math.round(result.confidence * 1000) / 1000 },
    });
  }
}
