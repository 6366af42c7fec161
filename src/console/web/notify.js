// Getting a counsellor's attention for a new urgent ticket: a short beep (WebAudio) and a
// browser notification when permission was granted. Notifications carry no citizen text.

let audio = null;

function context() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  if (!audio) audio = new Ctx();
  return audio;
}

/** Browsers start audio only after a user gesture: the first click or key press unlocks it. */
export function unlockAudioOnGesture() {
  const unlock = () => {
    try {
      const ctx = context();
      if (ctx && ctx.state === 'suspended') void ctx.resume();
    } catch {
      // No audio: the visual alert remains.
    }
  };
  window.addEventListener('pointerdown', unlock, { once: true, capture: true });
  window.addEventListener('keydown', unlock, { once: true, capture: true });
}

/** Two short high tones. */
export function beep() {
  try {
    const ctx = context();
    if (!ctx) return;
    if (ctx.state === 'suspended') void ctx.resume();
    const start = ctx.currentTime;
    for (const offset of [0, 0.22]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.18);
    }
  } catch {
    // No audio: the visual alert remains.
  }
}

export const notificationsSupported = () => typeof window.Notification === 'function';
export const notificationPermission = () => (notificationsSupported() ? Notification.permission : 'unsupported');

export async function askNotificationPermission() {
  if (!notificationsSupported()) return 'unsupported';
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

/** A notification that opens the ticket when clicked; nothing when permission is missing. */
export function notify(title, body, ticketId) {
  if (notificationPermission() !== 'granted') return;
  try {
    const n = new Notification(title, { body, tag: ticketId ? `ticket-${ticketId}` : undefined, requireInteraction: true });
    n.onclick = () => {
      window.focus();
      if (ticketId) location.hash = `#/ticket/${encodeURIComponent(ticketId)}`;
      n.close();
    };
  } catch {
    // Some browsers allow notifications only from a service worker: the beep and the red row remain.
  }
}
