import * as React from 'react';

import type { IShare, Permission } from '../api';
import { baseName, formatDate, shareTargetLabel } from '../format';
import { ConfirmButton, Empty, focusAfterRemoval, RowButton } from './common';
import type { IPanelContext } from './context';

/** What I share and with whom; change permission, copy a link, revoke. */
export function SharedList(props: {
  context: IPanelContext;
  shares: IShare[];
}): JSX.Element {
  const { context, shares } = props;
  const { trans } = context;
  if (!shares.length) {
    return (
      <Empty>
        {trans.__(
          'You are not sharing anything yet. Right-click a notebook or folder in the file browser and choose "Share…" to share it with a colleague at any ScienceMesh site, or to make a public link.'
        )}
      </Empty>
    );
  }
  return (
    <ul className="jp-ScienceMesh-list" aria-label={trans.__('My shares')}>
      {shares.map(share => (
        <SharedRow key={share.id} context={context} share={share} />
      ))}
    </ul>
  );
}

/** One of my shares, as a row of the panel or of the Share dialog. */
export function SharedRow(props: {
  context: Pick<IPanelContext, 'model' | 'trans' | 'run' | 'copy' | 'reveal'>;
  share: IShare;
  /** In the Share dialog the item is known, so the row names only the recipient. */
  showItem?: boolean;
}): JSX.Element {
  const { context, share } = props;
  const { trans, model } = context;
  const showItem = props.showItem ?? true;
  const target = shareTargetLabel(share, trans);
  const name = baseName(share.path);
  const changePermission = (permission: Permission) =>
    void context.run(
      () => model.updateShare(share.id, { permission }),
      () =>
        permission === 'edit'
          ? trans.__('%1 can now edit "%2".', target, name)
          : trans.__('%1 can now only view "%2".', target, name)
    );
  const row = React.useRef<HTMLLIElement>(null);
  const revoke = async () => {
    const refocus = focusAfterRemoval(row.current);
    const done = await context.run(
      () => model.revoke(share.id).then(() => true),
      () => trans.__('"%1" is no longer shared with %2.', name, target)
    );
    if (done) {
      refocus();
    }
  };
  return (
    <li ref={row} className="jp-ScienceMesh-row" data-share-type={share.type}>
      <div className="jp-ScienceMesh-rowText">
        {showItem ? (
          <span
            className="jp-ScienceMesh-name jp-ScienceMesh-link"
            role="button"
            tabIndex={0}
            title={trans.__('Show "%1" in the file browser', share.path)}
            onClick={() => context.reveal(share.path)}
            onKeyDown={event =>
              event.key === 'Enter' && context.reveal(share.path)
            }
          >
            {name}
          </span>
        ) : null}
        <span
          className={showItem ? 'jp-ScienceMesh-meta' : 'jp-ScienceMesh-name'}
        >
          {showItem ? trans.__('with %1', target) : target}
        </span>
        {share.expiration || (share.type === 'link' && share.created) ? (
          <span className="jp-ScienceMesh-meta">
            {[
              share.type === 'link' && share.created
                ? trans.__('created %1', formatDate(share.created))
                : '',
              share.expiration
                ? trans.__('until %1', formatDate(share.expiration))
                : ''
            ]
              .filter(Boolean)
              .join(' · ')}
          </span>
        ) : null}
      </div>
      <div className="jp-ScienceMesh-actions">
        {share.type === 'link' ? (
          <RowButton
            label={trans.__('Copy link')}
            disabled={!share.url}
            onClick={() =>
              share.url && context.copy(share.url, trans.__('Link'))
            }
          />
        ) : (
          <select
            className="jp-ScienceMesh-select"
            aria-label={trans.__('Permission for %1', target)}
            value={share.permission}
            onChange={event =>
              changePermission(event.target.value as Permission)
            }
          >
            <option value="view">{trans.__('View')}</option>
            <option value="edit">{trans.__('Edit')}</option>
          </select>
        )}
        <ConfirmButton
          label={trans.__('Revoke')}
          title={trans.__('Stop sharing "%1" with %2', name, target)}
          question={trans.__('Stop sharing "%1" with %2?', name, target)}
          confirmLabel={trans.__('Revoke')}
          cancelLabel={trans.__('Cancel')}
          onConfirm={revoke}
        />
      </div>
    </li>
  );
}
