import * as React from 'react';

import type { IContact, IInvitation, IMeshSite } from '../api';
import {
  ConfirmButton,
  CopyField,
  Empty,
  ErrorLine,
  focusAfterRemoval,
  RowButton,
  SubmitButton
} from './common';
import type { IPanelContext } from './context';

/** My ScienceMesh contacts, and the two halves of an invitation. */
export function ContactsList(props: {
  context: IPanelContext;
  contacts: IContact[];
  sites: IMeshSite[];
}): JSX.Element {
  const { context, contacts } = props;
  const { trans } = context;
  return (
    <>
      {contacts.length ? (
        <ul className="jp-ScienceMesh-list" aria-label={trans.__('Contacts')}>
          {contacts.map(contact => (
            <ContactRow
              key={contact.federated_id}
              context={context}
              contact={contact}
            />
          ))}
        </ul>
      ) : (
        <Empty>
          {trans.__(
            'No contacts yet. Invite a colleague at another site: they accept your invitation, and from then on you find each other when sharing.'
          )}
        </Empty>
      )}
      <Invite context={context} />
      <AcceptInvitation context={context} sites={props.sites} />
    </>
  );
}

function ContactRow(props: {
  context: IPanelContext;
  contact: IContact;
}): JSX.Element {
  const { context, contact } = props;
  const { trans, model } = context;
  const row = React.useRef<HTMLLIElement>(null);
  const remove = async () => {
    const refocus = focusAfterRemoval(row.current);
    const done = await context.run(
      () => model.deleteContact(contact).then(() => true),
      () => trans.__('%1 is no longer a contact.', contact.federated_id)
    );
    if (done) {
      refocus();
    }
  };
  return (
    <li ref={row} className="jp-ScienceMesh-row">
      <div className="jp-ScienceMesh-rowText">
        <span className="jp-ScienceMesh-name">
          {contact.display_name || contact.user}
        </span>
        <span className="jp-ScienceMesh-meta">{contact.federated_id}</span>
      </div>
      <div className="jp-ScienceMesh-actions">
        <ConfirmButton
          label={trans.__('Remove')}
          title={trans.__('Remove %1 from your contacts', contact.federated_id)}
          question={trans.__(
            'Remove %1 from your contacts? To share with them again later, one of you has to invite the other again.',
            contact.federated_id
          )}
          confirmLabel={trans.__('Remove')}
          cancelLabel={trans.__('Cancel')}
          onConfirm={remove}
        />
      </div>
    </li>
  );
}

function Invite(props: { context: IPanelContext }): JSX.Element {
  const { context } = props;
  const { trans, model } = context;
  const [invitation, setInvitation] = React.useState<IInvitation | null>(null);
  const shown = React.useRef<HTMLDivElement>(null);
  // The token is what the user asked for: in view (even at the panel's foot in
  // a small window), with the focus on it (see CopyField's autoFocus).
  React.useEffect(
    () => shown.current?.scrollIntoView({ block: 'nearest' }),
    [invitation]
  );
  const create = async () => {
    const created = await context.run(
      () => model.createInvitation(),
      () => trans.__('Invitation created. Give the token to your colleague.')
    );
    if (created) {
      setInvitation(created);
    }
  };
  return (
    <div className="jp-ScienceMesh-form" data-form="invite">
      <RowButton
        kind="accept"
        label={trans.__('Invite a colleague')}
        onClick={() => void create()}
      />
      {invitation ? (
        <div className="jp-ScienceMesh-invitation" ref={shown}>
          <p className="jp-ScienceMesh-meta">
            {trans.__(
              'Give your colleague this token. In their JupyterLab they open the ScienceMesh panel, choose Contacts → Accept an invitation, paste it and pick your site. The invitation link opens a page that says the same.'
            )}
          </p>
          <label className="jp-ScienceMesh-label">
            {trans.__('Invitation token')}
            <CopyField
              value={invitation.token}
              label={trans.__('Invitation token')}
              copyLabel={trans.__('Copy')}
              autoFocus
              onCopy={() =>
                context.copy(invitation.token, trans.__('Invitation token'))
              }
            />
          </label>
          {invitation.link ? (
            <RowButton
              label={trans.__('Copy invitation link')}
              onClick={() =>
                context.copy(invitation.link, trans.__('Invitation link'))
              }
            />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function AcceptInvitation(props: {
  context: IPanelContext;
  sites: IMeshSite[];
}): JSX.Element {
  const { context } = props;
  const { trans, model } = context;
  const [open, setOpen] = React.useState(false);
  const [token, setToken] = React.useState('');
  const [site, setSite] = React.useState('');
  const [error, setError] = React.useState('');
  const others = props.sites.filter(s => !s.is_mine);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!token.trim() || !site.trim()) {
      setError(
        trans.__(
          'Paste the token you were given and pick the site it came from.'
        )
      );
      return;
    }
    setError('');
    const contact = await context.run(
      () => model.acceptInvitation(token.trim(), site.trim()),
      c => trans.__('%1 is now one of your contacts.', c.federated_id),
      setError
    );
    if (contact) {
      setToken('');
      setSite('');
      setOpen(false);
    }
  };
  if (!open) {
    return (
      <div className="jp-ScienceMesh-form">
        <RowButton
          label={trans.__('Accept an invitation')}
          onClick={() => setOpen(true)}
        />
      </div>
    );
  }
  return (
    <form
      className="jp-ScienceMesh-form"
      data-form="accept-invitation"
      onSubmit={event => void submit(event)}
    >
      <label className="jp-ScienceMesh-label">
        {trans.__('Invitation token')}
        <input
          className="jp-ScienceMesh-input"
          value={token}
          autoFocus
          onChange={event => setToken(event.target.value)}
        />
      </label>
      <label className="jp-ScienceMesh-label">
        {trans.__('From site')}
        <input
          className="jp-ScienceMesh-input"
          list="jp-ScienceMesh-sites"
          placeholder={trans.__('e.g. cloud.example.org')}
          value={site}
          onChange={event => setSite(event.target.value)}
        />
        <datalist id="jp-ScienceMesh-sites">
          {others.map(s => (
            <option key={s.url} value={s.domain}>
              {s.name}
            </option>
          ))}
        </datalist>
      </label>
      <ErrorLine message={error} />
      <div className="jp-ScienceMesh-actions">
        <SubmitButton label={trans.__('Accept')} />
        <RowButton label={trans.__('Cancel')} onClick={() => setOpen(false)} />
      </div>
    </form>
  );
}
