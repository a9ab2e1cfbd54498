import * as React from 'react';

import type { IReceivedShare } from '../api';
import { formatDate, personLabel } from '../format';
import { Empty, RowButton } from './common';
import type { IPanelContext } from './context';

/** Shares sent to me: pending ones to accept or decline, accepted ones to open. */
export function ReceivedList(props: {
  context: IPanelContext;
  received: IReceivedShare[];
}): JSX.Element {
  const { context, received } = props;
  const { trans, model } = context;
  const pending = received.filter(share => share.state === 'pending');
  const accepted = received.filter(share => share.state === 'accepted');
  if (!received.length) {
    return (
      <Empty>
        {trans.__(
          'Nothing has been shared with you yet. When a colleague shares a notebook or folder with you, here or at another ScienceMesh site, it appears here for you to accept.'
        )}
      </Empty>
    );
  }
  const permission = (share: IReceivedShare) =>
    share.permission === 'edit'
      ? ` · ${trans.__('can edit')}`
      : share.permission === 'view'
        ? ` · ${trans.__('view only')}`
        : '';
  return (
    <>
      {pending.length ? (
        <h4 className="jp-ScienceMesh-subtitle">
          {trans.__('Waiting for you')}
        </h4>
      ) : null}
      <ul
        className="jp-ScienceMesh-list"
        aria-label={trans.__('Pending shares')}
      >
        {pending.map(share => (
          <li
            key={share.id}
            className="jp-ScienceMesh-row"
            data-state="pending"
          >
            <div className="jp-ScienceMesh-rowText">
              <span className="jp-ScienceMesh-name">{share.name}</span>
              <span className="jp-ScienceMesh-meta">
                {trans.__('from %1', personLabel(share.owner))}
                {permission(share)}
              </span>
            </div>
            <div className="jp-ScienceMesh-actions">
              <RowButton
                kind="accept"
                label={trans.__('Accept')}
                title={trans.__('Accept "%1"', share.name)}
                onClick={() =>
                  void context.run(
                    () => model.accept(share.id),
                    done => trans.__('"%1" is now in your files.', done.name)
                  )
                }
              />
              <RowButton
                label={trans.__('Decline')}
                title={trans.__('Decline "%1"', share.name)}
                onClick={() =>
                  void context.run(
                    () => model.decline(share.id),
                    () => trans.__('Declined "%1".', share.name)
                  )
                }
              />
            </div>
          </li>
        ))}
      </ul>
      {accepted.length && pending.length ? (
        <h4 className="jp-ScienceMesh-subtitle">{trans.__('Accepted')}</h4>
      ) : null}
      <ul
        className="jp-ScienceMesh-list"
        aria-label={trans.__('Accepted shares')}
      >
        {accepted.map(share => (
          <li
            key={share.id}
            className="jp-ScienceMesh-row"
            data-state="accepted"
            title={trans.__('Double-click to open')}
            onDoubleClick={() => share.path && openAccepted(context, share)}
          >
            <div className="jp-ScienceMesh-rowText">
              <span className="jp-ScienceMesh-name">{share.name}</span>
              <span className="jp-ScienceMesh-meta">
                {personLabel(share.owner)}
                {permission(share)}
                {share.created ? ` · ${formatDate(share.created)}` : ''}
              </span>
            </div>
            <div className="jp-ScienceMesh-actions">
              <RowButton
                label={trans.__('Open')}
                title={trans.__('Show "%1" in the file browser', share.name)}
                disabled={!share.path}
                onClick={() => share.path && context.reveal(share.path)}
              />
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

function openAccepted(context: IPanelContext, share: IReceivedShare): void {
  if (!share.path) {
    return;
  }
  if (share.item_type === 'directory') {
    context.reveal(share.path);
  } else {
    context.open(share.path);
  }
}
