/**
 * The decisions behind the Share dialog's form, kept apart from React so they can
 * be tested alone: which suggestion a typed text means, how the arrow keys move,
 * and what request the form turns into.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ILinkPolicy, INewShare, IRecipient, Permission } from '../api';
import { expiryProblem, splitFederatedId, today } from '../format';

/**
 * The recipient a typed text unambiguously names: an exact id, label or
 * `id@site` match, or the one suggestion when there is only one. Null when the
 * user still has to pick from the list.
 */
export function pickRecipient(
  typed: string,
  candidates: IRecipient[]
): IRecipient | null {
  const text = typed.trim().toLowerCase();
  if (!text) {
    return null;
  }
  const exact = candidates.filter(
    c =>
      c.id.toLowerCase() === text ||
      c.label.toLowerCase() === text ||
      `${c.id}@${c.site}`.toLowerCase() === text
  );
  if (exact.length === 1) {
    return exact[0];
  }
  return candidates.length === 1 && exact.length === 0 && !text.includes(' ')
    ? candidates[0]
    : null;
}

/**
 * Why the typed text names no recipient, in words that match what was typed:
 * several matches, or nobody; for `user@site` text, also that the site is not
 * in the mesh (the server offers a typed address only for sites of the mesh).
 */
export function noRecipientMessage(
  typed: string,
  matches: number,
  trans: TranslationBundle
): string {
  if (matches) {
    return trans.__(
      'Several people match "%1": pick one from the list.',
      typed
    );
  }
  const address = splitFederatedId(typed);
  if (address) {
    return trans.__(
      'No one called "%1" was found here, and "%2" is not a site of the ScienceMesh. Check the part after the @, or ask your administrator whether that site is in the mesh directory.',
      typed,
      address.site
    );
  }
  return trans.__(
    'No one called "%1" was found. Type a name from your site, or user@site for someone at another ScienceMesh site.',
    typed
  );
}

/** The next highlighted suggestion for an arrow key, wrapping at both ends; -1 when none. */
export function moveActive(
  active: number,
  delta: number,
  count: number
): number {
  if (count <= 0) {
    return -1;
  }
  if (active < 0) {
    return delta > 0 ? 0 : count - 1;
  }
  return (active + delta + count) % count;
}

export interface IShareForm {
  path: string;
  recipient: IRecipient;
  permission: Permission;
  expiration: string;
  note: string;
}

/** Turn the filled-in form into the API request, or say in words what is wrong. */
export function shareRequest(
  form: IShareForm,
  trans: TranslationBundle,
  now: Date = new Date()
): { share: INewShare } | { error: string } {
  const problem = expiryProblem(form.expiration, trans, now);
  if (problem) {
    return { error: problem };
  }
  const share: INewShare = {
    path: form.path,
    type: form.recipient.type,
    recipient: form.recipient.id,
    permission: form.permission
  };
  if (form.expiration) {
    share.expiration = form.expiration;
  }
  if (form.note.trim()) {
    share.note = form.note.trim();
  }
  return { share };
}

/**
 * What the user's site requires of public links, in words (empty when nothing),
 * so the dialog can say it before the site refuses.
 */
export function linkPolicyText(
  policy: ILinkPolicy | null | undefined,
  trans: TranslationBundle
): string {
  if (!policy) {
    return '';
  }
  const rules: string[] = [];
  if (policy.password_required) {
    rules.push(
      policy.password_min_length
        ? trans.__(
            'a password of at least %1 characters',
            policy.password_min_length
          )
        : trans.__('a password')
    );
  } else if (policy.password_min_length) {
    rules.push(
      trans.__(
        'passwords of at least %1 characters',
        policy.password_min_length
      )
    );
  }
  if (policy.expiration_required) {
    rules.push(
      policy.expiration_max_days
        ? trans.__(
            'an expiry date at most %1 days ahead',
            policy.expiration_max_days
          )
        : trans.__('an expiry date')
    );
  }
  return rules.length
    ? trans.__('Your site requires %1.', rules.join(trans.__(' and ')))
    : '';
}

/** The request for a public link, or what is wrong with the link form (the site's rules included). */
export function linkRequest(
  form: { path: string; password: string; expiration: string },
  trans: TranslationBundle,
  policy: ILinkPolicy | null = null,
  now: Date = new Date()
): { share: INewShare } | { error: string } {
  const problem = expiryProblem(form.expiration, trans, now);
  if (problem) {
    return { error: problem };
  }
  const minLength = policy?.password_min_length ?? 0;
  if (policy?.password_required && !form.password) {
    return {
      error: trans.__('Your site requires a password for public links.')
    };
  }
  if (form.password && [...form.password].length < minLength) {
    return {
      error: trans.__(
        'Your site requires link passwords of at least %1 characters.',
        minLength
      )
    };
  }
  if (policy?.expiration_required && !form.expiration) {
    return {
      error: trans.__('Your site requires an expiry date for public links.')
    };
  }
  const maxDays = policy?.expiration_required
    ? policy.expiration_max_days
    : null;
  if (maxDays && form.expiration) {
    const latest = new Date(now);
    latest.setDate(latest.getDate() + maxDays);
    if (form.expiration > today(latest)) {
      return {
        error: trans.__(
          'Your site allows public links to last at most %1 days.',
          maxDays
        )
      };
    }
  }
  const share: INewShare = {
    path: form.path,
    type: 'link',
    permission: 'view'
  };
  if (form.password) {
    share.password = form.password;
  }
  if (form.expiration) {
    share.expiration = form.expiration;
  }
  return { share };
}
