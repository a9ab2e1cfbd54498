/**
 * Searching for recipients as the user types, through the model.
 */
import * as React from 'react';

import type { IRecipient } from '../api';
import type { MeshModel } from '../model';

/** The pause after the last keystroke before asking the server. */
export const SEARCH_DELAY_MS = 250;

export interface IRecipientSearch {
  /** Matches for the current text, best first (empty while nothing matches). */
  suggestions: IRecipient[];
  /** The server's message when the last search failed (e.g. a site is down). */
  error: string;
}

const IDLE: IRecipientSearch = { suggestions: [], error: '' };

/**
 * Suggestions for `query`, searched `delayMs` after the user stops typing.
 * Answers to older queries are dropped, so a slow answer never replaces a newer
 * one; with `enabled` false (a recipient is already chosen) nothing is searched.
 */
export function useRecipientSearch(
  model: Pick<MeshModel, 'searchRecipients'>,
  query: string,
  enabled: boolean,
  delayMs: number = SEARCH_DELAY_MS
): IRecipientSearch {
  const [result, setResult] = React.useState<IRecipientSearch>(IDLE);
  const latest = React.useRef(0);

  React.useEffect(() => {
    const text = query.trim();
    const id = ++latest.current;
    if (!text || !enabled) {
      setResult(IDLE);
      return;
    }
    const timer = window.setTimeout(async () => {
      let next: IRecipientSearch;
      try {
        next = { suggestions: await model.searchRecipients(text), error: '' };
      } catch (reason) {
        next = { suggestions: [], error: (reason as Error).message };
      }
      if (id === latest.current) {
        setResult(next);
      }
    }, delayMs);
    return () => window.clearTimeout(timer);
  }, [model, query, enabled, delayMs]);

  return result;
}
