import { ActivityHandler, ConversationState, type TurnContext } from 'botbuilder';
import { CONVERSATION_KEY, MESSAGE_KEY } from '../bots/turn-runner.js';
import type { Handoff } from '../handoff/service.js';
import { CHANNELS, citizenKeyOf, type Conversation, type Store, type StoredMessage } from '../store/types.js';
import type { TicketGlance, TurnMemory } from './chain.js';
import { carryOut } from './effects.js';
import type { DecideTurn } from './turn.js';
import type { CentreInfo } from '../server/config.js';

/** `load` run at most once, however often the returned function is called. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

export { replyActivity } from './effects.js';

export interface CtxhBotDeps {
  /** The turn's chain of steps (src/flows/turn.ts). */
  decide: DecideTurn;
  store: Pick<Store, 'conversations' | 'messages' | 'tickets' | 'notes' | 'audit' | 'botState' | 'consents' | 'cases' | 'media' | 'unanswered'>;
  /** Where failures that do not fail the turn are told (the unanswered inbox). */
  log?: { warn(obj: object, msg: string): void };
  /** Opens, reopens and rates tickets. */
  handoff: Handoff;
  /** A ticket closed less than this ago is reopened when the citizen writes again (HANDOFF_REOPEN_MINUTES). */
  reopenMs: number;
  /** The centre's name and hotline, for replies the effects compose (a case's code). */
  centre: CentreInfo;
  now: () => Date;
  /** Which earlier messages count towards risk: the lexicon's `context` rule. */
  triageWindow: { messages: number; minutes: number };
}

/**
 * The assistant's bot: loads what a turn needs (the conversation as stored now, the
 * citizen's recent messages, the bot's memory), runs the chain of steps, and carries out
 * what they decided. Conversation state (the turn count, the triage reset point, the
 * intake in progress) lives in the store through botbuilder's Storage, written with the
 * eTag it was read with: if another instance advanced the conversation meanwhile, the
 * write fails, the turn is not marked handled, and it runs again on the fresh state.
 */
export class CtxhBot extends ActivityHandler {
  private readonly conversationState: ConversationState;
  private readonly memory;

  constructor(private readonly deps: CtxhBotDeps) {
    super();
    this.conversationState = new ConversationState(deps.store.botState);
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

  /**
   * The conversation as stored now: an earlier turn may have raised its risk since it
   * arrived. The TurnRunner stored it before the turn; a bot run without the runner (a
   * unit test driving an adapter directly) finds or creates it from the activity.
   */
  private async conversation(context: TurnContext): Promise<Conversation> {
    const known = context.turnState.get(CONVERSATION_KEY) as Conversation | undefined;
    const fresh = known ? await this.deps.store.conversations.get(known.id) : null;
    if (fresh) return fresh;
    const a = context.activity;
    const channel = CHANNELS.find((c) => c === a.channelId) ?? 'webchat';
    return this.deps.store.conversations.upsert(
      { channel, userId: String(a.from?.id ?? ''), chatId: String(a.conversation?.id ?? '') },
      {},
      this.deps.now(),
    );
  }

  /** The citizen's texts before this one that still count towards risk, oldest first. */
  private async earlierTexts(conversation: Conversation, message: StoredMessage | undefined, memory: TurnMemory): Promise<string[]> {
    const { messages, minutes } = this.deps.triageWindow;
    if (!message || messages === 0) return [];
    const from = Math.max(memory.riskResetAfter ?? 0, message.position - 1 - messages * 4);
    const since = message.createdAt.getTime() - minutes * 60_000;
    const recent = await this.deps.store.messages.inboundTexts(conversation.id, from, message.position, messages * 4);
    return recent
      .filter((m) => m.createdAt.getTime() >= since && m.text.trim())
      .slice(-messages)
      .map((m) => m.text);
  }

  /** The citizen's open ticket, else the one closed within the reopen window. */
  private async ticket(conversation: Conversation): Promise<TicketGlance | null> {
    const key = citizenKeyOf(conversation);
    const { tickets } = this.deps.store;
    return (await tickets.findOpenByCitizen(key)) ?? (await tickets.findRecentlyClosed(key, new Date(this.deps.now().getTime() - this.deps.reopenMs)));
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const memory = await this.memory.get(context, {});
    memory.turns = (memory.turns ?? 0) + 1;
    const conversation = await this.conversation(context);
    const message = context.turnState.get(MESSAGE_KEY) as StoredMessage | undefined;
    const effects = await this.deps.decide({
      text: (context.activity.text ?? '').trim(),
      media: (context.activity.attachments ?? []).map((a) => String(a.contentType ?? '')),
      conversation,
      messageId: message?.id ?? null,
      position: message?.position ?? 0,
      earlier: once(() => this.earlierTexts(conversation, message, memory)),
      memory,
      now: this.deps.now(),
      ticket: await this.ticket(conversation),
    });
    await carryOut(effects, {
      turn: context,
      store: this.deps.store,
      handoff: this.deps.handoff,
      centre: this.deps.centre,
      conversation,
      messageId: message?.id ?? null,
      memory,
      now: this.deps.now,
      log: this.deps.log,
    });
  }
}
