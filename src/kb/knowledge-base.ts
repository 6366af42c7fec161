import type { KnowledgeEntry } from './entry.js';
import { loadKnowledge, type LoadProblem } from './loader.js';
import { Retriever, type SearchHit } from './retriever.js';

/** The loaded knowledge with its retriever; replaced whole when staff change entries. */
export class KnowledgeBase {
  readonly retriever: Retriever;
  private readonly byId: Map<string, KnowledgeEntry>;

  constructor(
    readonly entries: readonly KnowledgeEntry[],
    readonly problems: readonly LoadProblem[] = [],
  ) {
    this.retriever = new Retriever(entries);
    this.byId = new Map(entries.map((e) => [e.id, e]));
  }

  static fromDirectory(dir: string): KnowledgeBase {
    const { entries, problems } = loadKnowledge(dir);
    return new KnowledgeBase(entries, problems);
  }

  get(id: string): KnowledgeEntry | undefined {
    return this.byId.get(id);
  }

  search(text: string, k?: number): SearchHit[] {
    return this.retriever.search(text, k);
  }
}
