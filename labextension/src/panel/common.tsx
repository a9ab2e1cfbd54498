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
  onClick: (event: React.MouseEvent<HTMLButtonElement>) => void;
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

/**
 * The submit button of a form. While its request runs it is marked busy, not
 * `disabled`: a disabled button would drop the keyboard focus to the page.
 * The form ignores submits while busy.
 */
export function SubmitButton(props: {
  label: string;
  busy?: boolean;
}): JSX.Element {
  return (
    <button
      type="submit"
      className="jp-ScienceMesh-button jp-mod-accept"
      aria-disabled={props.busy}
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
  /** Take the focus when shown (a value the user just asked for). */
  autoFocus?: boolean;
}): JSX.Element {
  return (
    <span className="jp-ScienceMesh-copyRow">
      <input
        className="jp-ScienceMesh-input"
        readOnly
        value={props.value}
        aria-label={props.label}
        autoFocus={props.autoFocus}
        onFocus={event => event.target.select()}
      />
      <RowButton label={props.copyLabel} onClick={props.onCopy} />
    </span>
  );
}

/**
 * A button for an action that cannot be undone (revoke, remove a contact): the
 * first press asks in place, with the confirming button focused; Cancel or
 * Escape returns to the button. Asking in the row instead of a modal keeps it
 * usable inside the Share dialog, which is itself a modal.
 */
export function ConfirmButton(props: {
  label: string;
  title: string;
  /** The question, naming what will happen ("Stop sharing "x" with Bob?"). */
  question: string;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => void;
}): JSX.Element {
  const [asking, setAsking] = React.useState(false);
  const confirmRef = React.useRef<HTMLButtonElement>(null);
  const buttonRef = React.useRef<HTMLButtonElement>(null);
  const returnFocus = React.useRef(false);

  React.useEffect(() => {
    if (asking) {
      confirmRef.current?.focus();
    } else if (returnFocus.current) {
      returnFocus.current = false;
      buttonRef.current?.focus();
    }
  }, [asking]);

  const cancel = () => {
    returnFocus.current = true;
    setAsking(false);
  };

  if (!asking) {
    return (
      <button
        ref={buttonRef}
        type="button"
        className="jp-ScienceMesh-button jp-mod-warn"
        title={props.title}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
    );
  }
  return (
    <span
      className="jp-ScienceMesh-confirm"
      role="group"
      aria-label={props.question}
      data-keeps-escape=""
      onKeyDown={event => {
        if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          cancel();
        }
      }}
    >
      <span className="jp-ScienceMesh-confirmQuestion">{props.question}</span>
      <button
        ref={confirmRef}
        type="button"
        className="jp-ScienceMesh-button jp-mod-warn"
        onClick={() => {
          // Focus waits on the action's button until the row goes away.
          returnFocus.current = true;
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.confirmLabel}
      </button>
      <button type="button" className="jp-ScienceMesh-button" onClick={cancel}>
        {props.cancelLabel}
      </button>
    </span>
  );
}

const FOCUSABLE = 'button:not(:disabled), select, input, [tabindex="0"]';

/**
 * Keep keyboard focus in place when `row` leaves its list: call before the
 * removal, and the returned function after it. Focus moves to the next row,
 * else the previous one, else the form or section the list belongs to, never
 * to the page's body.
 */
export function focusAfterRemoval(row: Element | null): () => void {
  const neighbour = row?.nextElementSibling ?? row?.previousElementSibling;
  const fallback =
    row?.closest('.jp-ScienceMesh-shareForm')?.querySelector('input') ??
    row?.closest('details')?.querySelector('summary');
  return () => {
    const next = neighbour?.isConnected
      ? neighbour.querySelector<HTMLElement>(FOCUSABLE)
      : null;
    (
      next ?? (fallback?.isConnected ? (fallback as HTMLElement) : null)
    )?.focus();
  };
}
