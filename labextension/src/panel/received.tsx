import * as React from 'react';

import type { IReceivedShare } from '../api';
import { formatDate, personLabel } from '../format';
import { Empty, focusAfterRemoval, RowButton } from './common';
import type { IPanelContext } from './context';

/** Shares sent to me: pending ones to accept or decline, accepted ones to open. */
export function ReceivedList(props: {
  context: IPanelContext;
  received: IReceivedShare[];
}): JSX.Element {
  const { context, received } = props;
  const { trans, model } = context;
  const host = React.useRef<HTMLDivElement>(null);
  // An accepted share moves to the other list: its Open button takes the focus
  // once it is rendered there.
  const focusOpen = React.useRef<string | null>(null);
  React.useEffect(() => {
    const id = focusOpen.current;
    const button = id
      ? host.current?.querySelector<HTMLButtonElement>(
          `li[data-state="accepted"][data-share-id="${CSS.escape(id)}"] button`
        )
      : null;
    if (button) {
      focusOpen.current = null;
      button.focus();
    }
  });

  const pending = received.filter(share => share.state === 'pending');
  const accepted = received.filter(share => share.state === 'accepted');
  const revoked = received.filter(share => share.state === 'revoked');
  if (!received.length) {
    return (
      <Empty>
        {trans.__(
          'Nothing has been shared with you yet. When a colleague shares a notebook or folder with you, here or at another ScienceMesh site, it appears here for you to accept.'
        )}
      </Empty>
    );
  }

  const accept = async (share: IReceivedShare) => {
    focusOpen.current = share.id;
    await context.run(
      () => model.accept(share.id),
      done => trans.__('"%1" is now in your files.', done.name)
    );
  };

  const decline = async (share: IReceivedShare, row: Element | null) => {
    const refocus = focusAfterRemoval(row);
    const done = await context.run(
      () => model.decline(share.id).then(() => true),
      () =>
        share.state === 'revoked'
          ? trans.__('Dismissed "%1".', share.name)
          : trans.__('Declined "%1".', share.name)
    );
    if (done) {
      refocus();
    }
  };

  return (
    <div ref={host}>
      {pending.length ? (
        <h3 className="jp-ScienceMesh-subtitle">
          {trans.__('Waiting for you')}
        </h3>
      ) : null}
      <ul
        className="jp-ScienceMesh-list"
        aria-label={trans.__('Pending shares')}
      >
        {pending.map(share => (
          <ReceivedRow key={share.id} context={context} share={share}>
            <RowButton
              kind="accept"
              label={trans.__('Accept')}
              title={trans.__('Accept "%1"', share.name)}
              onClick={() => void accept(share)}
            />
            <RowButton
              label={trans.__('Decline')}
              title={trans.__('Decline "%1"', share.name)}
              onClick={event =>
                void decline(share, event.currentTarget.closest('li'))
              }
            />
          </ReceivedRow>
        ))}
      </ul>
      {accepted.length && pending.length ? (
        <h3 className="jp-ScienceMesh-subtitle">{trans.__('Accepted')}</h3>
      ) : null}
      <ul
        className="jp-ScienceMesh-list"
        aria-label={trans.__('Accepted shares')}
      >
        {accepted.map(share => (
          <ReceivedRow
            key={share.id}
            context={context}
            share={share}
            onDoubleClick={() => openAccepted(context, share)}
          >
            <RowButton
              label={trans.__('Open')}
              title={
                share.item_type === 'directory'
                  ? trans.__(
                      'Open the folder "%1" in the file browser',
                      share.name
                    )
                  : trans.__('Open "%1"', share.name)
              }
              disabled={!share.path}
              onClick={() => openAccepted(context, share)}
            />
          </ReceivedRow>
        ))}
      </ul>
      {revoked.length ? (
        <>
          <h3 className="jp-ScienceMesh-subtitle">
            {trans.__('No longer shared with you')}
          </h3>
          <ul
            className="jp-ScienceMesh-list"
            aria-label={trans.__('Shares that ended')}
          >
            {revoked.map(share => (
              <ReceivedRow key={share.id} context={context} share={share}>
                <RowButton
                  label={trans.__('Dismiss')}
                  title={trans.__('Remove "%1" from this list', share.name)}
                  onClick={event =>
                    void decline(share, event.currentTarget.closest('li'))
                  }
                />
              </ReceivedRow>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/**
 * One received share: what it is, who sent it and what they said about it (note,
 * expiry, when), why it cannot be used now (its owner's site does not answer, or
 * it was revoked), and the row's actions.
 */
function ReceivedRow(props: {
  context: IPanelContext;
  share: IReceivedShare;
  onDoubleClick?: () => void;
  children: React.ReactNode;
}): JSX.Element {
  const { share } = props;
  const { trans } = props.context;
  const details = [trans.__('from %1', personLabel(share.owner))];
  if (share.permission) {
    details.push(
      share.permission === 'edit' ? trans.__('can edit') : trans.__('view only')
    );
  }
  if (share.created) {
    details.push(trans.__('shared on %1', formatDate(share.created)));
  }
  if (share.expiration) {
    details.push(trans.__('until %1', formatDate(share.expiration)));
  }
  const problem = share.problem ?? null;
  return (
    <li
      className="jp-ScienceMesh-row"
      data-state={share.state}
      data-share-id={share.id}
      data-problem={problem?.reason}
      onDoubleClick={props.onDoubleClick}
    >
      <div className="jp-ScienceMesh-rowText">
        <span className="jp-ScienceMesh-name">{share.name}</span>
        <span className="jp-ScienceMesh-meta">{details.join(' · ')}</span>
        {share.note ? (
          <span className="jp-ScienceMesh-note">
            {trans.__('Note: %1', share.note)}
          </span>
        ) : null}
        {problem ? (
          <span className="jp-ScienceMesh-warning">{problem.message}</span>
        ) : null}
      </div>
      <div className="jp-ScienceMesh-actions">{props.children}</div>
    </li>
  );
}

function openAccepted(context: IPanelContext, share: IReceivedShare): void {
  if (share.path) {
    context.open(share.path, share.item_type ?? 'file');
  }
}
