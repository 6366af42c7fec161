import {
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import type { Channel } from '../store/types.js';

/**
 * A channel's botbuilder adapter: turns platform input into Activities and the bot's
 * Activities into platform calls. Adapters translate only; what to say is decided in
 * src/flows, and storing is done by the TurnRunner around every turn.
 */
export abstract class ChannelAdapter extends BotAdapter {
  abstract readonly channel: Channel;

  /** Runs middleware and `logic` for one inbound activity. */
  async processActivity(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const context = new TurnContext(this, activity);
    await this.runMiddleware(context, logic);
  }

  override async continueConversation(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: 'event', name: 'continueConversation' }, reference, true);
    await this.processActivity(activity, logic);
  }

  override async updateActivity(): Promise<ResourceResponse | void> {
    throw new Error(`${this.channel}: editing sent messages is not supported`);
  }

  override async deleteActivity(): Promise<void> {
    throw new Error(`${this.channel}: deleting sent messages is not supported`);
  }
}

/** Quick-reply titles from an Activity's suggested actions. */
export function choicesOf(activity: Partial<Activity>): string[] {
  return (activity.suggestedActions?.actions ?? []).map((a) => String(a.title ?? a.value ?? '')).filter(Boolean);
}
