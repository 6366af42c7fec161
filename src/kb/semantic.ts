/**
 * Optional semantic retrieval: a third reading of a question beside BM25 and the topic
 * classifier, from an OpenAI-compatible embeddings endpoint (LangChain's `Embeddings`).
 * Off unless EMBEDDINGS_MODEL is configured; the offline path answers alone and must meet
 * the bar alone.
 *
 * Each entry is embedded once (its phrasings and answer as one text), cached in the store
 * by a hash of the model and that text (`embeddingKey`): a restart or a second instance
 * embeds nothing again, and an entry staff change is the only one sent again. A question
 * is embedded when it is asked; its cosine similarity to each entry, the best per topic,
 * becomes a topic prediction (a softmax at `temperature`), which src/flows/faq.ts combines
 * with BM25's topic the way it combines the classifier's: agreeing raises confidence,
 * reading another office's business lowers it, disagreeing changes nothing. So the hybrid
 * score can make the bot surer of what BM25 found, never answer from a topic BM25 did
 * not find.
 *
 * The endpoint failing or slow (past `queryTimeoutMs`) is not an error a citizen sees:
 * predict() gives undefined and the offline path decides.
 *
 * @example
 * const semantic = new SemanticReader({ model: 'text-embedding-3-small', embeddings, cache: store.embeddings });
 * await semantic.index(kb.entries);
 * const prediction = await semantic.predict('mẹ tui 80 tuổi lãnh tiền gì'); // { topic: 'tro-cap-nguoi-cao-tuoi', … }
 */
import { createHash } from 'node:crypto';
import { checkEmbedding, type EmbeddingRepository } from '../store/embedding-types.js';
import type { TopicPrediction } from './classifier.js';
import type { KnowledgeEntry } from './entry.js';

/** What LangChain's `Embeddings` (OpenAIEmbeddings, FakeEmbeddings…) offers. */
export interface EmbeddingsClient {
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}

export interface SemanticOptions {
  /** The model's name, part of every cache key: another model embeds everything again. */
  model: string;
  embeddings: EmbeddingsClient;
  /** Where vectors are kept between starts: the store's `embeddings` (or memoryEmbeddingCache()). */
  cache: EmbeddingRepository;
  /**
   * How sharply similarity differences become probabilities (a softmax temperature).
   * Default 0.05: a topic 0.05 more similar than the next is e (≈ 2.7) times as likely.
   * Lower it for a model whose similarities sit close together; raise it if one
   * near-match makes the bot too sure.
   */
  temperature?: number;
  /** Texts per embedDocuments call while indexing. Default 64; lower it for an endpoint with a small request limit. */
  batchSize?: number;
  /** A question not embedded within this many ms is decided without semantics. Default 2000. */
  queryTimeoutMs?: number;
  /** Told when the endpoint fails (indexing or a question); the answer goes on without it. */
  onError?: (err: unknown) => void;
  now?: () => Date;
}

/** The longest text sent for one entry (characters): phrasings first, then the answer. */
const MAX_ENTRY_CHARS = 2000;

/** The text an entry is embedded as: its phrasings, then its answer, within MAX_ENTRY_CHARS. */
export function entryText(entry: KnowledgeEntry): string {
  return `${entry.questions.join('\n')}\n\n${entry.body}`.slice(0, MAX_ENTRY_CHARS);
}

/** The cache key of a text embedded by a model: sha256 hex of both. */
export function embeddingKey(model: string, text: string): string {
  return createHash('sha256').update(model).update('\u0000').update(text).digest('hex');
}

interface IndexedEntry {
  topic: string;
  vector: Float64Array;
}

function unit(v: readonly number[]): Float64Array {
  const out = Float64Array.from(v);
  const norm = Math.hypot(...out) || 1;
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length && i < b.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * A softmax over each topic's best cosine similarity: the topic prediction the FAQ
 * combines with BM25's. Pure.
 *
 * @example predictFromSimilarities(new Map([['a', 0.8], ['b', 0.6]]), 0.05).topic // 'a'
 */
export function predictFromSimilarities(bestByTopic: ReadonlyMap<string, number>, temperature: number): TopicPrediction {
  const probabilities = new Map<string, number>();
  if (bestByTopic.size === 0) return { topic: null, probability: 0, probabilities };
  const max = Math.max(...bestByTopic.values());
  let z = 0;
  for (const [topic, s] of bestByTopic) {
    const e = Math.exp((s - max) / temperature);
    probabilities.set(topic, e);
    z += e;
  }
  let topic: string | null = null;
  let probability = 0;
  for (const [t, e] of probabilities) {
    const p = e / z;
    probabilities.set(t, p);
    if (p > probability) [topic, probability] = [t, p];
  }
  return { topic, probability, probabilities };
}

export class SemanticReader {
  private indexed: IndexedEntry[] = [];

  constructor(private readonly options: SemanticOptions) {}

  /**
   * Embeds the entries not yet in the cache and reads from these entries from now on;
   * true when it did. Safe to call again with new knowledge: only changed entries are
   * sent. Never throws: a failure goes to `onError`, and it keeps reading from the
   * entries it had (none at the first call, so the offline path decides alone).
   */
  async index(entries: readonly KnowledgeEntry[]): Promise<boolean> {
    try {
      this.indexed = await this.embedAll(entries);
      return true;
    } catch (err) {
      this.options.onError?.(err);
      return false;
    }
  }

  private async embedAll(entries: readonly KnowledgeEntry[]): Promise<IndexedEntry[]> {
    const { model, embeddings, cache } = this.options;
    const batchSize = this.options.batchSize ?? 64;
    const texts = entries.map(entryText);
    const keys = texts.map((t) => embeddingKey(model, t));
    const known = await cache.getMany([...new Set(keys)]);
    const missing = [...new Set(keys.filter((k) => !known.has(k)))];
    const textOf = new Map(keys.map((k, i) => [k, texts[i]!]));
    for (let i = 0; i < missing.length; i += batchSize) {
      const batch = missing.slice(i, i + batchSize);
      const vectors = await embeddings.embedDocuments(batch.map((k) => textOf.get(k)!));
      if (vectors.length !== batch.length) throw new Error(`embeddings: asked for ${batch.length} vectors, got ${vectors.length}`);
      const items = batch.map((key, j) => ({ key, vector: vectors[j]! }));
      await cache.putMany(items, (this.options.now ?? (() => new Date()))());
      for (const { key, vector } of items) known.set(key, vector);
    }
    return entries.map((e, i) => ({ topic: e.topic, vector: unit(known.get(keys[i]!)!) }));
  }

  /** How many entries it reads from (0 before index() finished). */
  get size(): number {
    return this.indexed.length;
  }

  /** The topic the question is closest to; undefined before indexing, or when the endpoint fails or is slow. */
  async predict(question: string): Promise<TopicPrediction | undefined> {
    const entries = this.indexed;
    if (entries.length === 0 || !question.trim()) return undefined;
    const timeoutMs = this.options.queryTimeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const vector = await Promise.race([
        this.options.embeddings.embedQuery(question),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`embeddings: no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      const q = unit(vector);
      const best = new Map<string, number>();
      for (const e of entries) {
        const s = dot(q, e.vector);
        if (s > (best.get(e.topic) ?? -Infinity)) best.set(e.topic, s);
      }
      return predictFromSimilarities(best, this.options.temperature ?? 0.05);
    } catch (err) {
      this.options.onError?.(err);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * A cache that lives as long as the process: for `ask` and tests, where there is no store.
 *
 * @example new SemanticReader({ model, embeddings, cache: memoryEmbeddingCache() })
 */
export function memoryEmbeddingCache(): EmbeddingRepository {
  const vectors = new Map<string, number[]>();
  return {
    async getMany(keys) {
      return new Map(keys.filter((k) => vectors.has(k)).map((k) => [k, vectors.get(k)!]));
    },
    async putMany(items) {
      items.forEach(checkEmbedding);
      for (const e of items) if (!vectors.has(e.key)) vectors.set(e.key, [...e.vector]);
    },
  };
}
