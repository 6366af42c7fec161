/**
 * What the bot's Activities become on Zalo (consultation messages, shared/channels.md
 * 2.2), and how a numbered answer maps back to a choice. Pure: the sender builds its
 * requests with it, and the adapter reads the conversation's last menu with the same
 * decision, so "2" means what the citizen was shown.
 *
 * Choices (Activity.suggestedActions) become `oa.query.show` buttons: a tap sends the
 * button's payload back as an ordinary user_send_text, and the payload is the choice's
 * whole text, so the bot reads it as if typed (and the citizen's chat shows it). Where
 * buttons are not used (turned off, or more choices than `maxButtons`) the choices are
 * listed under the text with numbers: "Trả lời 1, 2 hoặc 3".
 */
import type { Activity } from 'botbuilder';
import { choicesOf } from '../channel-adapter.js';
import { splitText } from '../split-text.js';

export interface ZaloMessageOptions {
  /**
   * Longest text of one message; longer answers are split (choices on the last part).
   * Default 2000 characters: the only source for it is a single one [unconfirmed].
   */
  maxText: number;
  /**
   * Most buttons on one message; more choices become a numbered menu. Default 4: the SDK's
   * constant says 5 and its own error text 4 [unconfirmed], and 4 is within both readings.
   */
  maxButtons: number;
  /**
   * 'buttons' (default): choices as buttons in the "text + buttons" form, which a Zalo
   * partner documents and open-source clients use, while the official SDK builds the `list`
   * template instead [unconfirmed]. 'numbered': always a numbered text menu, for a centre
   * whose OA refuses the buttons form.
   */
  buttons: 'buttons' | 'numbered';
}

export const ZALO_MESSAGE_DEFAULTS: ZaloMessageOptions = { maxText: 2000, maxButtons: 4, buttons: 'buttons' };

export type ZaloMenu = { kind: 'none' } | { kind: 'buttons'; choices: string[] } | { kind: 'numbered'; choices: string[] };

/** How an Activity's choices are shown on Zalo. */
export function menuOf(activity: Partial<Activity>, options: ZaloMessageOptions): ZaloMenu {
  const choices = choicesOf(activity);
  if (choices.length === 0) return { kind: 'none' };
  if (options.buttons === 'buttons' && choices.length <= options.maxButtons) return { kind: 'buttons', choices };
  return { kind: 'numbered', choices };
}

/** "1, 2 hoặc 3" */
function numberList(n: number): string {
  const numbers = Array.from({ length: n }, (_, i) => String(i + 1));
  return numbers.length === 1 ? numbers[0]! : `${numbers.slice(0, -1).join(', ')} hoặc ${numbers.at(-1)}`;
}

/** The numbered menu under a text: one choice a line, then "Trả lời 1, 2 hoặc 3." */
export function numberedMenu(choices: readonly string[]): string {
  return `${choices.map((c, i) => `${i + 1}. ${c}`).join('\n')}\nTrả lời ${numberList(choices.length)}.`;
}

/** The request bodies for one Activity, in order (a long text is several messages). */
export function zaloRequests(recipient: Record<string, string>, activity: Partial<Activity>, options: ZaloMessageOptions): Array<Record<string, unknown>> {
  const menu = menuOf(activity, options);
  const text = activity.text ?? '';
  const full = menu.kind === 'numbered' ? [text, numberedMenu(menu.choices)].filter((t) => t.trim() !== '').join('\n\n') : text;
  const parts = splitText(full, options.maxText);
  return parts.map((part, i) => {
    const last = i === parts.length - 1;
    if (!last || menu.kind !== 'buttons') return { recipient, message: { text: part } };
    return {
      recipient,
      message: {
        text: part,
        attachment: {
          type: 'template',
          payload: { buttons: menu.choices.map((c) => ({ title: c, type: 'oa.query.show', payload: c })) },
        },
      },
    };
  });
}

/** "2", "2.", "số 2", "so 2)": the number a citizen typed to answer a numbered menu, or null. */
export function menuNumber(text: string): number | null {
  const m = /^\s*(?:s[ốo]\s*)?(\d{1,2})\s*[.)]?\s*$/iu.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * The choice a numbered answer stands for, when `shown` (the OA's message) listed its
 * choices with numbers; null otherwise (no menu, buttons, or a number out of range).
 */
export function choiceForNumber(text: string, shown: Partial<Activity>, options: ZaloMessageOptions): string | null {
  const n = menuNumber(text);
  if (n === null) return null;
  const menu = menuOf(shown, options);
  if (menu.kind !== 'numbered') return null;
  return menu.choices[n - 1] ?? null;
}
