/**
 * The risk triage's acceptance scenarios over the real botframework-directlinejs client:
 * an urgent message mid-FAQ, mid-clarify and after a counsellor was requested each get
 * the safety reply first, and the conversation is marked urgent in the store with a
 * top-priority handoff request. Shared by the SQLite run (tests/triage-directline.test.ts)
 * and the Mongo lane (tests/store.contract.test.ts, the one file that talks to it).
 */
import { expect } from 'vitest';
import XHR2 from 'xhr2';
import WebSocket from 'ws';
import type { Store } from '../../src/store/types.js';
import { HANDOFF_PRIORITY } from '../../src/store/types.js';
import { waitFor } from './http.js';

Object.assign(globalThis, { XMLHttpRequest: XHR2, WebSocket });
const { DirectLine } = await import('botframework-directlinejs');

/** A citizen on the web chat, through Microsoft's own Direct Line client. */
export class WebCitizen {
  private readonly dl;
  readonly botTexts: string[] = [];
  /** The bot's (and counsellors') message activities, with their suggested actions. */
  readonly botActivities: any[] = [];
  /** The web user id the server bound to the token, as echoed on the citizen's own messages. */
  userId = '';
  private readonly sub;
  conversationId = '';

  private constructor(url: string, token: string, conversationId: string) {
    this.conversationId = conversationId;
    this.dl = new DirectLine({ token, domain: `${url}/v3/directline`, webSocket: false, pollingInterval: 200 }); // 200 ms is the client's lower bound: below it falls back to 1 s
    this.sub = this.dl.activity$.subscribe((a: any) => {
      if (a.type === 'message' && a.from?.role === 'bot') {
        this.botTexts.push(a.text);
        this.botActivities.push(a);
      }
      if (a.type === 'message' && a.from?.role === 'user' && a.from.id) this.userId = a.from.id;
    });
  }

  static async open(url: string): Promise<WebCitizen> {
    const res = await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' });
    const { token, conversationId } = (await res.json()) as { token: string; conversationId: string };
    const citizen = new WebCitizen(url, token, conversationId);
    // A new conversation opens with the greeting; what follows are the replies to the citizen.
    citizen.greeting = await waitFor(() => citizen.botTexts[0], 'greeting');
    citizen.botTexts.splice(0, 1);
    citizen.botActivities.splice(0, 1);
    return citizen;
  }

  /** The greeting the conversation opened with. */
  greeting = '';

  /** Sends a message and waits for the bot's next reply, which it returns. */
  async say(text: string): Promise<string> {
    const before = this.botTexts.length;
    await new Promise<void>((resolve, reject) =>
      this.dl.postActivity({ type: 'message', from: { id: 'citizen', name: 'Citizen' }, text } as any).subscribe({ next: () => resolve(), error: reject }),
    );
    return waitFor(() => this.botTexts[before], `bot reply to "${text}"`);
  }

  /** Sends a message and waits for `count` replies to it, which it returns. */
  async sayAll(text: string, count: number): Promise<string[]> {
    const before = this.botTexts.length;
    await this.say(text);
    await waitFor(() => this.botTexts.length >= before + count, `${count} bot replies to "${text}"`);
    return this.botTexts.slice(before, before + count);
  }

  close(): void {
    this.sub.unsubscribe();
    this.dl.end();
  }
}

async function conversationOf(store: Store, citizen: WebCitizen) {
  return waitFor(
    () => store.conversations.findByAddress({ channel: 'webchat', chatId: citizen.conversationId, userId: citizen.userId }),
    'conversation',
  );
}

async function expectUrgent(store: Store, citizen: WebCitizen, category: string) {
  const conversation = await conversationOf(store, citizen);
  expect(conversation.risk).toMatchObject({ level: 'urgent', category });
  expect(conversation.risk?.messageId).toBeTruthy();
  const request = await store.tickets.findOpenByConversation(conversation.id);
  expect(request).toMatchObject({ priority: HANDOFF_PRIORITY.urgent, reason: 'risk', riskCategory: category, status: 'waiting' });
  const exceptions = await store.audit.list({ subject: conversation.id, action: 'consent.exception.vital-interest' });
  expect(exceptions).toHaveLength(1);
  return { conversation, request };
}

/** Questions between two topics (or between ours and another office's): the bot asks which was meant. */
const CLARIFY_CANDIDATES = [
  'cho hỏi về trợ cấp, sdt 0912 345 678',
  'hỏi vụ tiền hàng tháng, sdt 0987 654 321',
  'Đất nhà tôi chưa có sổ đỏ, giờ muốn làm sổ thì lên đâu làm ạ?',
  'phạt nguội vượt đèn đỏ tra cứu ở đâu vậy mọi nguời',
  'hỏi về giấy tờ với tiền hỗ trợ, sdt 0987 654 321',
];

export async function runUrgentScenarios(url: string, store: Store): Promise<void> {
  // Mid-FAQ: a policy answer, then a woman threatened right now.
  const faq = await WebCitizen.open(url);
  try {
    expect(await faq.say('tro cap nguoi khuyet tat bao nhieu')).toMatch(/Nguồn: /);
    const reply = await faq.say('chồng em say rượu đang cầm dao đòi giết em, em trốn trong nhà tắm');
    expect(reply).toMatch(/113/);
    expect(reply).not.toMatch(/Nguồn: /);
    await expectUrgent(store, faq, 'bao-luc');
  } finally {
    faq.close();
  }

  // Mid-clarify: the bot asked which topic was meant; the next message is about ending it.
  const clarify = await WebCitizen.open(url);
  try {
    // Questions that sit between two topics; which one the bot asks about depends on the
    // knowledge of the day, so the citizen asks until the bot asks back (one is enough).
    let clarified = false;
    for (const question of CLARIFY_CANDIDATES) {
      if (/chưa chắc bạn muốn hỏi/.test(await clarify.say(question))) {
        clarified = true;
        break;
      }
    }
    expect(clarified, 'one of the ambiguous questions makes the bot ask which topic was meant').toBe(true);
    const reply = await clarify.say('thoi khoi, e dang dung tren cau roi, ko muon song nua');
    expect(reply.split('\n')[0]).toMatch(/Mình đang ở đây với bạn/);
    expect(reply).toMatch(/115/);
    await expectUrgent(store, clarify, 'tu-hai');
  } finally {
    clarify.close();
  }

  // Waiting for a counsellor: the request jumps to the head of the queue.
  const waiting = await WebCitizen.open(url);
  try {
    expect(await waiting.say('cho tôi gặp tư vấn viên')).toMatch(/tư vấn viên/);
    const conversation = await conversationOf(store, waiting);
    const normal = await store.tickets.findOpenByConversation(conversation.id);
    expect(normal).toMatchObject({ priority: HANDOFF_PRIORITY.normal, reason: 'citizen-asked' });
    const reply = await waiting.say('bố em bị điện giật khi sửa điện, đang nằm bất tỉnh');
    expect(reply).toMatch(/115/);
    const { request } = await expectUrgent(store, waiting, 'cap-cuu');
    expect(request!.id).toBe(normal!.id);
    expect((await store.tickets.list())[0]?.priority).toBe(HANDOFF_PRIORITY.urgent);
  } finally {
    waiting.close();
  }
}
