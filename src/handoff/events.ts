/**
 * What the console must hear about at once, inside one instance: a ticket changed, a
 * citizen wrote, a counsellor must be alerted. The live queue listens here for an
 * immediate refresh; other instances' changes reach it through the store, which the
 * console's feed also re-reads every few seconds (src/console/live.ts), so nothing
 * depends on this bus alone.
 *
 * @example
 * const events = new HandoffEvents();
 * const stop = events.subscribe((e) => { if (e.type === 'ticket' && e.urgent) beep(); });
 * events.publish({ type: 'message', conversationId });
 */
import { EventEmitter } from 'node:events';

export type HandoffEvent =
  /** A ticket was opened, raised, claimed, moved or closed. */
  | { type: 'ticket'; ticketId: string; conversationId: string; change: string; urgent: boolean }
  /** A message was stored in a conversation (the citizen's, the bot's or a counsellor's). */
  | { type: 'message'; conversationId: string }
  /** Danger in a conversation a counsellor holds: they are alerted instead of the bot talking. */
  | { type: 'alert'; ticketId: string; conversationId: string; assigneeId: string | null }
  /** A counsellor changed presence: someone available may take waiting tickets now. */
  | { type: 'presence'; staffId: string; presence: 'available' | 'away' | 'offline' }
  /** A ticket waited too long unclaimed: supervisors are told. */
  | { type: 'escalated'; ticketId: string; conversationId: string; urgent: boolean };

export class HandoffEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open console tab: many tabs are normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  publish(event: HandoffEvent): void {
    this.emitter.emit('event', event);
  }

  /** Returns the function that stops listening. */
  subscribe(listener: (event: HandoffEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
