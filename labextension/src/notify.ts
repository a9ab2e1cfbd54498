/**
 * Notifications of shares that arrive for me or end, with a button that shows the panel.
 */
import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';

import { personLabel } from './format';
import type { IReceivedShare } from './api';
import type { IArrivals } from './model';

/** Tell the user about new pending shares: one summary at first, then one per share. */
export function announceArrivals(
  { shares, initial }: IArrivals,
  trans: TranslationBundle,
  showPanel: () => void
): void {
  const show = { label: trans.__('Show'), callback: showPanel };
  if (initial) {
    Notification.info(
      trans._n(
        'A share is waiting for you to accept it.',
        '%1 shares are waiting for you to accept them.',
        shares.length
      ),
      { actions: [show], autoClose: 8000 }
    );
    return;
  }
  for (const share of shares) {
    Notification.info(
      trans.__(
        '%1 shared "%2" with you.',
        personLabel(share.owner),
        share.name
      ),
      { actions: [show], autoClose: 8000 }
    );
  }
}

/** Tell the user that shares they had received ended, in the server's words. */
export function announceEnded(
  shares: IReceivedShare[],
  trans: TranslationBundle,
  showPanel: () => void
): void {
  const show = { label: trans.__('Show'), callback: showPanel };
  for (const share of shares) {
    Notification.warning(
      share.problem?.message ??
        trans.__('"%1" is no longer shared with you.', share.name),
      { actions: [show], autoClose: 8000 }
    );
  }
}
