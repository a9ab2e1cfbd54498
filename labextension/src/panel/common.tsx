import * as React from 'react';

import { today } from '../format';

/** A collapsible part of the panel; its open/closed state is remembered by the panel. */
export function Section(props: {
  id: string;
  title: string;
  count?: number;
  open: boolean;
  onToggle: (id: string, open: boolean) => void;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <details
      className="jp-ScienceMesh-section"
      data-section={props.id}
      open={props.open}
      onToggle={event =>
        props.onToggle(props.id, (event.target as HTMLDetailsElement).open)
      }
    >
      <summary className="jp-ScienceMesh-sectionTitle">
        {props.title}
        {props.count ? (
          <span className="jp-ScienceMesh-count">{props.count}</span>
        ) : null}
      </summary>
      <div className="jp-ScienceMesh-sectionBody">{props.children}</div>
    </details>
  );
}

/** What a new user sees instead of an empty list: what it is and what to do. */
export function Empty(props: { children: React.ReactNode }): JSX.Element {
  return <p className="jp-ScienceMesh-empty">{props.children}</p>;
}

/** A load error of one part, in the server's words. */
export function ErrorLine(props: { message?: string }): JSX.Element | null {
  return props.message ? (
    <p className="jp-ScienceMesh-error" role="alert">
      {props.message}
    </p>
  ) : null;
}

/** A small text button in a list row. */
export function RowButton(props: {
  label: string;
  title?: string;
  kind?: 'accept' | 'warn' | 'plain';
  onClick: () => void;
  disabled?: boolean;
}): JSX.Element {
  const kind = props.kind ?? 'plain';
  return (
    <button
      type="button"
      className={`jp-ScienceMesh-button jp-mod-${kind}`}
      title={props.title ?? props.label}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      {props.label}
    </button>
  );
}

/** The submit button of a form (disabled while its request runs). */
export function SubmitButton(props: {
  label: string;
  busy?: boolean;
}): JSX.Element {
  return (
    <button
      type="submit"
      className="jp-ScienceMesh-button jp-mod-accept"
      disabled={props.busy}
    >
      {props.label}
    </button>
  );
}

/** An optional expiry date, never in the past. */
export function ExpiryField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <label className="jp-ScienceMesh-label">
      {props.label}
      <input
        type="date"
        className="jp-ScienceMesh-input"
        min={today()}
        value={props.value}
        onChange={event => props.onChange(event.target.value)}
      />
    </label>
  );
}

/** A read-only value (a link, a token) with a button that copies it. */
export function CopyField(props: {
  value: string;
  label: string;
  copyLabel: string;
  onCopy: () => void;
}): JSX.Element {
  return (
    <span className="jp-ScienceMesh-copyRow">
      <input
        className="jp-ScienceMesh-input"
        readOnly
        value={props.value}
        aria-label={props.label}
        onFocus={event => event.target.select()}
      />
      <RowButton label={props.copyLabel} onClick={props.onCopy} />
    </span>
  );
}
