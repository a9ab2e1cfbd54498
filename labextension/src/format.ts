/**
 * Small pure helpers shared by the panel and the Share dialog: how identities,
 * shares and dates are shown, and the input checks done before calling the server.
 * Kept free of DOM and JupyterLab imports so Jest can test them directly.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IPerson, IShare } from './api';

/**
 * Split a federated id into user and site at the *last* `@`: user ids may
 * themselves contain `@` (e-mail style ids), site names never do.
 */
export function splitFederatedId(
  value: string
): { user: string; site: string } | null {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) {
    return null;
  }
  return { user: value.slice(0, at), site: value.slice(at + 1) };
}

/** "Bob Smith (bob@site-b)" — the name people know, then where they are. */
export function personLabel(person: IPerson): string {
  const address = person.federated_id ?? `${person.id}@${person.site}`;
  return person.display_name && person.display_name !== person.id
    ? `${person.display_name} (${address})`
    : address;
}

/** Who a share gives access to, in words. */
export function shareTargetLabel(
  share: IShare,
  trans: TranslationBundle
): string {
  if (share.type === 'link' || !share.recipient) {
    return share.has_password
      ? trans.__('Public link (password protected)')
      : trans.__('Public link');
  }
  if (share.type === 'group') {
    return trans.__('Group %1', share.recipient.display_name);
  }
  return personLabel(share.recipient);
}

/** The last segment of a contents path: what the researcher calls the item. */
export function baseName(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts.length ? parts[parts.length - 1] : path;
}

/** A date (or date-time) as the user's locale writes dates; '' when unknown. */
export function formatDate(value: string | null | undefined): string {
  if (!value) {
    return '';
  }
  // Plain dates (expiry) are calendar days: show them without a time zone shift.
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? new Date(`${value}T00:00:00`)
    : new Date(value);
  return Number.isNaN(parsed.getTime()) ? value : parsed.toLocaleDateString();
}

/** Today as YYYY-MM-DD in local time: the earliest expiry a share may get. */
export function today(now: Date = new Date()): string {
  const month = String(now.getMonth() + 1).padStart(2, '0');
  const day = String(now.getDate()).padStart(2, '0');
  return `${now.getFullYear()}-${month}-${day}`;
}

/**
 * Check an optional expiry date typed into the dialog. Returns an error in
 * words, or null when the value can be sent as is.
 */
export function expiryProblem(
  value: string,
  trans: TranslationBundle,
  now: Date = new Date()
): string | null {
  if (!value) {
    return null;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return trans.__('Write the expiry date as YYYY-MM-DD.');
  }
  if (value <= today(now)) {
    return trans.__('The expiry date must be in the future.');
  }
  return null;
}
