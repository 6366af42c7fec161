/**
 * What citizens send besides text (a voice note, a photo), opened by a counsellor in the
 * console. Platforms keep the file; the stored Activity refers to it as
 * `<scheme>:<reference>` (telegram-file:<file_id>), because a direct download link would
 * carry the bot's token. Each channel registers how to fetch its scheme; the console's
 * route streams the file through the server to a logged-in counsellor, and the audit log
 * records who opened which message's attachment.
 *
 * @example
 * media.register('telegram-file', async (fileId) => fetch(await telegram.getFileLink(fileId)));
 */
export type MediaFetcher = (reference: string) => Promise<Response>;

export class MediaSources {
  private readonly fetchers = new Map<string, MediaFetcher>();

  register(scheme: string, fetcher: MediaFetcher): void {
    this.fetchers.set(scheme, fetcher);
  }

  /** Whether this stored URL is one the server can fetch for the console. */
  handles(url: string): boolean {
    return this.fetchers.has(url.slice(0, url.indexOf(':')));
  }

  /** Fetches a stored `<scheme>:<reference>` URL; null for a scheme nobody registered. */
  async open(url: string): Promise<Response | null> {
    const at = url.indexOf(':');
    const fetcher = at > 0 ? this.fetchers.get(url.slice(0, at)) : undefined;
    return fetcher ? fetcher(url.slice(at + 1)) : null;
  }
}
