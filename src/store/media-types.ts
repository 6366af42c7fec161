/**
 * Files citizens send through the web chat (a photo, a voice note), kept in the store:
 * re-exported by src/store/types.ts. Web chat has no platform that keeps the file for us
 * (Telegram, Messenger and Zalo do), so the bytes live next to the messages that refer
 * to them, as `webchat-media:<id>`, and go when those messages go (erasure, retention).
 */
import { randomBytes } from 'node:crypto';

/** What is known about a stored file, without its bytes. */
export interface StoredMedia {
  /** Random, unguessable and URL-safe: it appears in links. */
  id: string;
  /** The store's Conversation.id the file was sent in (erasure removes by it). */
  conversationId: string;
  /** The checked content type ('image/png', 'audio/ogg'…), as it is served back. */
  contentType: string;
  /** The file name the citizen's device gave, cleaned; shown, never used as a path. */
  name: string;
  /** Bytes. */
  size: number;
  createdAt: Date;
}

/** A file to store: its bytes and what the upload said about it. */
export interface NewMedia {
  conversationId: string;
  contentType: string;
  name: string;
  bytes: Buffer;
  createdAt: Date;
}

/**
 * The web chat's files. Plain inserts, reads and deletes: no file is ever changed.
 *
 * @example
 * const m = await store.media.put({ conversationId, contentType: 'image/png', name: 'anh.png', bytes, createdAt: now });
 * const file = await store.media.get(m.id); // { ...m, bytes }
 */
export interface MediaRepository {
  /** Stores a file under a new random id. */
  put(file: NewMedia): Promise<StoredMedia>;
  /** The file with its bytes; null when unknown or removed. */
  get(id: string): Promise<(StoredMedia & { bytes: Buffer }) | null>;
  /** Removes these files (an upload whose message turned out to be a retry of one already stored). Returns how many went. */
  remove(ids: readonly string[]): Promise<number>;
  /** Erasure: removes every file of these conversations. Returns how many went. */
  removeConversations(conversationIds: readonly string[]): Promise<number>;
  /** Retention: removes up to `limit` (default 1000) files created before `cutoff`, oldest first; call again while it returns `limit`. */
  removeBefore(cutoff: Date, limit?: number): Promise<number>;
}

/** A new media id: 144 random bits, base64url (24 characters), so a link cannot be guessed. */
export const newMediaId = (): string => randomBytes(18).toString('base64url');

/** What a store keeps about a new file besides its bytes: a new id, and its size. */
export function describeNewMedia(file: NewMedia): StoredMedia {
  return {
    id: newMediaId(),
    conversationId: file.conversationId,
    contentType: file.contentType,
    name: file.name,
    size: file.bytes.length,
    createdAt: file.createdAt,
  };
}
