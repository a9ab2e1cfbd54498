import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IRecipient, ItemType, Permission } from '../api';
import {
  CopyField,
  ErrorLine,
  ExpiryField,
  SubmitButton
} from '../panel/common';
import type { IPanelContext } from '../panel/context';
import { SharedRow } from '../panel/shared';
import { FormDialog } from './dialog';
import { RecipientCombobox } from './combobox';
import {
  linkPolicyText,
  linkRequest,
  noRecipientMessage,
  pickRecipient,
  shareRequest
} from './recipients';
import { useRecipientSearch } from './recipientSearch';

/** The file or folder being shared. */
export interface IShareTarget {
  path: string;
  name: string;
  itemType: ItemType;
  /** Picked in the file browser (the focus returns there when the dialog closes). */
  fromBrowser?: boolean;
}

/** Open the Share dialog for one item; resolves when the user closes it. */
export async function showShareDialog(
  context: IPanelContext,
  target: IShareTarget,
  defaultPermission: Permission
): Promise<void> {
  const { trans } = context;
  const body = ReactWidget.create(
    <ShareForm
      context={context}
      target={target}
      defaultPermission={defaultPermission}
    />
  );
  body.addClass('jp-ScienceMesh-shareDialog');
  const dialog = new FormDialog({
    title:
      target.itemType === 'directory'
        ? trans.__('Share folder "%1"', target.name)
        : trans.__('Share "%1"', target.name),
    body,
    buttons: [Dialog.cancelButton({ label: trans.__('Close') })],
    focusNodeSelector: 'input',
    hasClose: true
  });
  void context.model.load('shares');
  await dialog.launch();
}

function ShareForm(props: {
  context: IPanelContext;
  target: IShareTarget;
  defaultPermission: Permission;
}): JSX.Element {
  const { context, target } = props;
  const { model, trans } = context;
  return (
    <div className="jp-ScienceMesh-shareForm">
      <PersonForm {...props} />
      <LinkForm context={context} target={target} />
      <section aria-label={trans.__('Who has access')}>
        <h2 className="jp-ScienceMesh-subtitle">
          {trans.__('Who has access')}
        </h2>
        <UseSignal signal={model.changed} initialSender={model}>
          {() => {
            const { errors, loaded } = model.state;
            if (errors.shares) {
              return <ErrorLine message={errors.shares.message} />;
            }
            if (!loaded.has('shares')) {
              return (
                <p className="jp-ScienceMesh-empty">{trans.__('Loading…')}</p>
              );
            }
            const shares = model.state.shares.filter(
              s => s.path === target.path
            );
            return shares.length ? (
              <ul className="jp-ScienceMesh-list">
                {shares.map(share => (
                  <SharedRow
                    key={share.id}
                    context={context}
                    share={share}
                    showItem={false}
                  />
                ))}
              </ul>
            ) : (
              <p className="jp-ScienceMesh-empty">
                {trans.__('Only you have access to "%1".', target.name)}
              </p>
            );
          }}
        </UseSignal>
      </section>
    </div>
  );
}

/** Share with a person or group, here or at another site. */
function PersonForm(props: {
  context: IPanelContext;
  target: IShareTarget;
  defaultPermission: Permission;
}): JSX.Element {
  const { context, target } = props;
  const { model, trans } = context;
  const [query, setQuery] = React.useState('');
  const [selected, setSelected] = React.useState<IRecipient | null>(null);
  const [permission, setPermission] = React.useState<Permission>(
    props.defaultPermission
  );
  const [expiration, setExpiration] = React.useState('');
  const [note, setNote] = React.useState('');
  const [error, setError] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const search = useRecipientSearch(model, query, !selected);

  /** The chosen recipient, else the one the typed text names, else why there is none. */
  const resolveRecipient = async (): Promise<IRecipient | null> => {
    if (selected) {
      return selected;
    }
    const text = query.trim();
    if (!text) {
      setError(trans.__('Type the name of a person or group to share with.'));
      return null;
    }
    try {
      const found = await model.searchRecipients(text);
      const match = pickRecipient(text, found);
      if (!match) {
        setError(noRecipientMessage(text, found.length, trans));
      }
      return match;
    } catch (reason) {
      setError((reason as Error).message);
      return null;
    }
  };

  const submit = async (event?: React.FormEvent) => {
    event?.preventDefault();
    if (busy) {
      return;
    }
    setBusy(true);
    setError('');
    try {
      const recipient = await resolveRecipient();
      if (!recipient) {
        return;
      }
      const request = shareRequest(
        { path: target.path, recipient, permission, expiration, note },
        trans
      );
      if ('error' in request) {
        setError(request.error);
        return;
      }
      const created = await context.run(
        () => model.createShare(request.share),
        () =>
          trans.__('"%1" is now shared with %2.', target.name, recipient.label),
        setError
      );
      if (created) {
        setQuery('');
        setSelected(null);
        setNote('');
      }
    } finally {
      setBusy(false);
    }
  };

  const inputId = 'jp-ScienceMesh-recipient';
  return (
    <form
      className="jp-ScienceMesh-form"
      data-form="share"
      onSubmit={event => void submit(event)}
    >
      <label className="jp-ScienceMesh-label" htmlFor={inputId}>
        {trans.__('Share with')}
      </label>
      <RecipientCombobox
        id={inputId}
        trans={trans}
        query={query}
        suggestions={search.suggestions}
        onQueryChange={text => {
          setQuery(text);
          setSelected(null);
          setError('');
        }}
        onChoose={recipient => {
          setSelected(recipient);
          setQuery(recipient.label);
          setError('');
        }}
        onEnter={() => void submit()}
      />
      {search.error && !error ? (
        <p className="jp-ScienceMesh-meta" role="status">
          {search.error}
        </p>
      ) : null}
      <div className="jp-ScienceMesh-fields">
        <label className="jp-ScienceMesh-label">
          {trans.__('Permission')}
          <select
            className="jp-ScienceMesh-select"
            aria-label={trans.__('Permission')}
            value={permission}
            onChange={event => setPermission(event.target.value as Permission)}
          >
            <option value="view">{trans.__('View only')}</option>
            <option value="edit">{trans.__('Can edit')}</option>
          </select>
        </label>
        <ExpiryField
          label={trans.__('Expires (optional)')}
          value={expiration}
          onChange={setExpiration}
        />
      </div>
      <label className="jp-ScienceMesh-label">
        {trans.__('Note to the recipient (optional)')}
        <textarea
          className="jp-ScienceMesh-input"
          rows={2}
          value={note}
          onChange={event => setNote(event.target.value)}
        />
      </label>
      <ErrorLine message={error} />
      <div className="jp-ScienceMesh-actions">
        <SubmitButton label={trans.__('Share')} busy={busy} />
      </div>
    </form>
  );
}

/** Create a public link, optionally with a password and expiry. */
function LinkForm(props: {
  context: IPanelContext;
  target: IShareTarget;
}): JSX.Element {
  const { context, target } = props;
  const { model, trans } = context;
  const [password, setPassword] = React.useState('');
  const [expiration, setExpiration] = React.useState('');
  const [error, setError] = React.useState('');
  const [url, setUrl] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const policy = model.state.me?.link_policy ?? null;
  const rules = linkPolicyText(policy, trans);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    const request = linkRequest(
      { path: target.path, password, expiration },
      trans,
      policy
    );
    if ('error' in request) {
      setError(request.error);
      return;
    }
    setBusy(true);
    setError('');
    const created = await context.run(
      () => model.createShare(request.share),
      () => trans.__('Public link to "%1" created.', target.name),
      setError
    );
    setBusy(false);
    if (created) {
      setUrl(created.url ?? '');
      setPassword('');
    }
  };

  return (
    <details className="jp-ScienceMesh-linkForm">
      <summary className="jp-ScienceMesh-subtitle">
        {trans.__('Public link')}
      </summary>
      <form
        className="jp-ScienceMesh-form"
        data-form="link"
        onSubmit={event => void submit(event)}
      >
        <p className="jp-ScienceMesh-meta">
          {trans.__('Anyone with the link can view "%1".', target.name)}
          {rules ? ` ${rules}` : ''}
        </p>
        <div className="jp-ScienceMesh-fields">
          <label className="jp-ScienceMesh-label">
            {trans.__('Password (optional)')}
            <input
              type="password"
              className="jp-ScienceMesh-input"
              autoComplete="new-password"
              value={password}
              onChange={event => setPassword(event.target.value)}
            />
          </label>
          <ExpiryField
            label={trans.__('Expires (optional)')}
            value={expiration}
            onChange={setExpiration}
          />
        </div>
        <ErrorLine message={error} />
        <div className="jp-ScienceMesh-actions">
          <SubmitButton label={trans.__('Create public link')} busy={busy} />
        </div>
        {url ? (
          <CopyField
            value={url}
            label={trans.__('Public link')}
            copyLabel={trans.__('Copy')}
            autoFocus
            onCopy={() => context.copy(url, trans.__('Link'))}
          />
        ) : null}
      </form>
    </details>
  );
}
