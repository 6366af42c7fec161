/**
 * The on-call alert: an urgent ticket, at any hour, reaches the centre's on-call contact
 * (a Telegram chat in configuration, ONCALL_TELEGRAM_CHAT_ID) within seconds, so danger
 * outside office hours still meets a person. The alert says what kind of danger, where
 * and since when, with a link to the console; never what the citizen wrote (it travels
 * through a third party's servers).
 *
 * @example
 * const onCall = new OnCallAlerts({ send: (text) => telegram.sendMessage(chatId, text), store, now, log, consoleUrl });
 * onCall.urgent(ticket); // fire and forget: retried a few times, every outcome audited
 */
import type { Logger } from 'pino';
import type { RiskCategory, Store, Ticket } from '../store/types.js';

const CATEGORY_LABEL: Record<RiskCategory, string> = {
  'tu-hai': 'nguy cơ tự hại, tự tử',
  'xam-hai-tre-em': 'trẻ em bị xâm hại',
  'bao-luc': 'bạo lực',
  'mua-ban-nguoi': 'mua bán người',
  'cap-cuu': 'cấp cứu y tế',
  'bo-roi': 'người bị bỏ rơi, không ai chăm sóc',
};

const CHANNEL_LABEL: Record<Ticket['channel'], string> = { webchat: 'web chat', telegram: 'Telegram', messenger: 'Messenger', zalo: 'Zalo' };

/** "HH:MM dd/mm" in Vietnam time. */
export function vnTime(at: Date): string {
  const d = new Date(at.getTime() + 7 * 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())} ${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}`;
}

/** The alert's text: category, channel, since when, the console link. No citizen content. */
export function urgentAlertText(ticket: Ticket, consoleUrl: string | null, waitedMinutes?: number): string {
  const what = ticket.riskCategory ? CATEGORY_LABEL[ticket.riskCategory] : 'dấu hiệu nguy hiểm';
  const lines = [
    waitedMinutes ? `⚠️ KHẨN CẤP chưa ai nhận sau ${waitedMinutes} phút: ${what}` : `⚠️ KHẨN CẤP: ${what}`,
    `Kênh: ${CHANNEL_LABEL[ticket.channel]} · từ ${vnTime(ticket.createdAt)}`,
  ];
  if (consoleUrl) lines.push(`Mở bàn tư vấn: ${consoleUrl.replace(/\/$/, '')}/console/#/ticket/${ticket.id}`);
  else lines.push('Mở bàn tư vấn để nhận phiếu.');
  return lines.join('\n');
}

export interface OnCallDeps {
  /** Sends one text to the on-call chat; throws on failure. */
  send: (text: string) => Promise<void>;
  store: Pick<Store, 'audit'>;
  now: () => Date;
  log: Logger;
  /** PUBLIC_URL, for the link to the console; null: no link. */
  consoleUrl: string | null;
  /** Waits between attempts; default 1 s and 4 s (three attempts in about five seconds). */
  retryDelaysMs?: readonly number[];
}

export class OnCallAlerts {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: OnCallDeps) {}

  /** Alerts for a ticket that just became urgent. Returns at once; see idle() to wait. */
  urgent(ticket: Ticket, waitedMinutes?: number): void {
    const job = this.deliver(ticket, urgentAlertText(ticket, this.deps.consoleUrl, waitedMinutes)).finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  private async deliver(ticket: Ticket, text: string): Promise<void> {
    const delays = this.deps.retryDelaysMs ?? [1000, 4000];
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.send(text);
        await this.record('oncall.notified', ticket, { attempts: attempt + 1 });
        return;
      } catch (err) {
        const delay = delays[attempt];
        if (delay === undefined) {
          // The error's name only: a network error's message can carry the Bot API URL, token included.
          this.deps.log.error({ ticketId: ticket.id, error: err instanceof Error ? err.name : 'unknown' }, 'on-call alert failed');
          await this.record('oncall.failed', ticket, { attempts: attempt + 1 });
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private record(action: string, ticket: Ticket, detail: Record<string, unknown>) {
    return this.deps.store.audit
      .append({ at: this.deps.now(), actor: 'system', action, subject: ticket.conversationId, detail: { ticketId: ticket.id, ...detail } })
      .catch(() => undefined);
  }

  /** Resolves when every alert started so far has been sent or given up (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
