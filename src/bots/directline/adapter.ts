import type { Activity, ResourceResponse, TurnContext } from 'botbuilder';
import { ChannelAdapter } from '../channel-adapter.js';

/**
 * Web chat over Direct Line: the bot's messages are delivered by being stored (the
 * TurnRunner stores every outbound message), and the page reads them by polling
 * GET /activities. So sending here only acknowledges the ids.
 */
export class DirectLineAdapter extends ChannelAdapter {
  readonly channel = 'webchat' as const;

  override async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    return activities.map((a) => ({ id: a.id ?? '' }));
  }
}
