/** One answer of `POST /public/knowledge-bases/{id}/search`: a passage of a file, with where it is and how well it matched. */
export interface KnowledgePassage {
  readonly fileId: string;
  readonly fileName: string;
  readonly text: string;
  readonly score: number;
  readonly page?: number | undefined;
  readonly section?: string | undefined;
}

export const DEFAULT_SEARCH_TOP = 5;
export const MAX_SEARCH_TOP = 20;
