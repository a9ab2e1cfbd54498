/**
 * The "Share with" field: a text box with a list of suggested recipients,
 * operated with the keyboard as the ARIA combobox pattern describes
 * (arrows move the highlight, Enter picks it, Escape closes the list).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRecipient } from '../api';
import { moveActive } from './recipients';

export interface IRecipientComboboxProps {
  /** The id of the text box (for its label's `htmlFor`). */
  id: string;
  trans: TranslationBundle;
  /** The text in the box. */
  query: string;
  suggestions: IRecipient[];
  /** The user typed: the chosen recipient (if any) no longer applies. */
  onQueryChange: (query: string) => void;
  /** The user picked a suggestion (click, or Enter on the highlighted one). */
  onChoose: (recipient: IRecipient) => void;
  /** Enter with no suggestion highlighted: the form's own action. */
  onEnter: () => void;
}

export function RecipientCombobox(props: IRecipientComboboxProps): JSX.Element {
  const { id, trans, suggestions } = props;
  const [open, setOpen] = React.useState(false);
  const [active, setActive] = React.useState(-1);
  const listId = `${id}-options`;

  // New suggestions open the list with the best one highlighted.
  React.useEffect(() => {
    setOpen(suggestions.length > 0);
    setActive(suggestions.length ? 0 : -1);
  }, [suggestions]);

  const choose = (recipient: IRecipient) => {
    setOpen(false);
    props.onChoose(recipient);
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(suggestions.length > 0);
      setActive(
        moveActive(
          active,
          event.key === 'ArrowDown' ? 1 : -1,
          suggestions.length
        )
      );
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (open && active >= 0 && active < suggestions.length) {
        choose(suggestions[active]);
      } else {
        props.onEnter();
      }
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      setOpen(false);
    }
  };

  return (
    <div className="jp-ScienceMesh-combobox">
      <input
        id={id}
        className="jp-ScienceMesh-input"
        role="combobox"
        aria-autocomplete="list"
        aria-controls={listId}
        aria-expanded={open}
        aria-activedescendant={
          open && active >= 0 ? `${listId}-${active}` : undefined
        }
        autoComplete="off"
        placeholder={trans.__('Name, group, or user@site')}
        value={props.query}
        onChange={event => props.onQueryChange(event.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      {open ? (
        <ul id={listId} role="listbox" className="jp-ScienceMesh-suggestions">
          {suggestions.map((s, index) => (
            <li
              key={`${s.type}:${s.id}`}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className="jp-ScienceMesh-suggestion"
              onMouseDown={event => {
                event.preventDefault();
                choose(s);
              }}
            >
              <span className="jp-ScienceMesh-name">
                {s.verified === false ? s.id : s.label}
              </span>
              <span className="jp-ScienceMesh-meta">
                {suggestionMeta(s, trans)}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/**
 * What a suggestion is: a typed address is only an address (the other site says
 * whether the person exists when the share is sent), never shown as a person.
 */
function suggestionMeta(s: IRecipient, trans: TranslationBundle): string {
  if (s.verified === false) {
    return trans.__('Send to this address at %1', s.site);
  }
  if (s.type === 'group') {
    return trans.__('group at %1', s.site);
  }
  return s.source === 'contact' ? trans.__('contact at %1', s.site) : s.site;
}
