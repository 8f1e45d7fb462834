/** Fake per-account notes served by the `search_notes` and `delete_note` tools. */

export const NOTE_TAGS = ['work', 'personal', 'ideas', 'todo'] as const;
export type NoteTag = (typeof NOTE_TAGS)[number];
export type NoteSort = 'relevance' | 'newest' | 'oldest';

export interface Note {
  id: string;
  owner: string;
  title: string;
  body: string;
  tags: NoteTag[];
  archived: boolean;
  updatedAt: string;
}

export interface NoteQuery {
  owner: string;
  query: string;
  limit: number;
  tags?: NoteTag[];
  archived?: boolean;
  sort: NoteSort;
}

export interface NoteHit {
  id: string;
  title: string;
  snippet: string;
  tags: NoteTag[];
  owner: string;
  archived: boolean;
  updatedAt: string;
  score: number;
}

const SEED: readonly Note[] = [
  {
    id: 'n-101',
    owner: 'demo',
    title: 'OAuth checklist for the MCP rollout',
    body: 'Serve protected resource metadata, require PKCE S256, check the token audience on every request.',
    tags: ['work', 'todo'],
    archived: false,
    updatedAt: '2026-11-20T09:15:00Z',
  },
  {
    id: 'n-102',
    owner: 'demo',
    title: 'Refresh token rotation',
    body: 'Public clients must get a new refresh token on every refresh; replaying an old one revokes the grant.',
    tags: ['work', 'ideas'],
    archived: false,
    updatedAt: '2026-11-18T16:40:00Z',
  },
  {
    id: 'n-103',
    owner: 'demo',
    title: 'Groceries',
    body: 'Coffee beans, oat milk, lemons, bread.',
    tags: ['personal', 'todo'],
    archived: false,
    updatedAt: '2026-11-24T07:05:00Z',
  },
  {
    id: 'n-104',
    owner: 'demo',
    title: 'Talk idea: why sessions are not authentication',
    body: 'A Mcp-Session-Id is a routing hint. Every request still needs a valid bearer token.',
    tags: ['ideas'],
    archived: false,
    updatedAt: '2026-10-30T12:00:00Z',
  },
  {
    id: 'n-105',
    owner: 'demo',
    title: 'Old deployment notes',
    body: 'The 2025-03-26 server used the origin as its authorization base URL. Superseded by PRM.',
    tags: ['work'],
    archived: true,
    updatedAt: '2025-06-02T10:30:00Z',
  },
  {
    id: 'n-106',
    owner: 'demo',
    title: 'Scope design',
    body: 'mcp:read for listing and read-only tools, mcp:tools for tools with side effects, mcp:admin for admin.',
    tags: ['work', 'ideas'],
    archived: false,
    updatedAt: '2026-11-10T14:20:00Z',
  },
  {
    id: 'n-201',
    owner: 'alex',
    title: 'Alex: private roadmap',
    body: 'Only Alex may read this note. If another account sees it, the server leaks user data.',
    tags: ['work'],
    archived: false,
    updatedAt: '2026-11-21T11:00:00Z',
  },
  {
    id: 'n-202',
    owner: 'alex',
    title: 'Alex: holiday plans',
    body: 'Train tickets, hiking boots, a checklist for the cabin.',
    tags: ['personal', 'todo'],
    archived: false,
    updatedAt: '2026-11-19T19:45:00Z',
  },
];

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}:_-]+/u)
    .filter(Boolean);
}

function snippet(body: string, terms: string[]): string {
  const lower = body.toLowerCase();
  const at = terms.map((t) => lower.indexOf(t)).find((i) => i >= 0) ?? 0;
  const start = Math.max(0, at - 30);
  const text = body.slice(start, start + 100);
  return `${start > 0 ? '…' : ''}${text}${start + 100 < body.length ? '…' : ''}`;
}

export class NotesStore {
  private notes: Note[] = structuredClone([...SEED]);

  reset(): void {
    this.notes = structuredClone([...SEED]);
  }

  /** Notes of one account only: the store never returns another owner's notes. */
  search(q: NoteQuery): { hits: NoteHit[]; total: number } {
    const terms = words(q.query);
    const matchAll = q.query.trim() === '*';
    const hits: NoteHit[] = [];
    for (const note of this.notes) {
      if (note.owner !== q.owner) continue;
      if (q.archived !== undefined && note.archived !== q.archived) continue;
      if (q.tags?.length && !q.tags.some((tag) => note.tags.includes(tag))) continue;
      const haystack = `${note.title} ${note.body} ${note.tags.join(' ')}`.toLowerCase();
      const score = matchAll ? 1 : terms.filter((term) => haystack.includes(term)).length;
      if (score === 0) continue;
      hits.push({
        id: note.id,
        title: note.title,
        snippet: snippet(note.body, terms),
        tags: [...note.tags],
        owner: note.owner,
        archived: note.archived,
        updatedAt: note.updatedAt,
        score,
      });
    }
    const byDate = (a: NoteHit, b: NoteHit) => a.updatedAt.localeCompare(b.updatedAt);
    if (q.sort === 'newest') hits.sort((a, b) => byDate(b, a));
    else if (q.sort === 'oldest') hits.sort(byDate);
    else hits.sort((a, b) => b.score - a.score || byDate(b, a));
    return { hits: hits.slice(0, q.limit), total: hits.length };
  }

  /** Deletes one of the owner's notes; another owner's note is reported as not found. */
  delete(owner: string, id: string): Note | undefined {
    const index = this.notes.findIndex((note) => note.id === id && note.owner === owner);
    if (index < 0) return undefined;
    const [removed] = this.notes.splice(index, 1);
    return removed;
  }
}
