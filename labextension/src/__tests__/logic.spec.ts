import { nullTranslator } from '@jupyterlab/translation';

import type { IRecipient } from '../api';
import {
  linkPolicyText,
  moveActive,
  noRecipientMessage,
  pickRecipient,
  shareRequest,
  linkRequest
} from '../dialogs/recipients';
import { expiryProblem, personLabel, splitFederatedId, today } from '../format';

const trans = nullTranslator.load('jupyter-sciencemesh');
const NOW = new Date(2030, 4, 15, 12, 0, 0); // 15 May 2030, local time

const bobLocal: IRecipient = {
  type: 'user',
  id: 'bob',
  label: 'Bob Local',
  site: 'a.example',
  source: 'local'
};
const bobRemote: IRecipient = {
  type: 'federated',
  id: 'bob@b.example',
  label: 'Bob Remote',
  site: 'b.example',
  source: 'contact'
};

describe('splitFederatedId', () => {
  it('splits at the last @ so user ids may contain @', () => {
    expect(splitFederatedId('jane@uni.org@cloud.example:8443')).toEqual({
      user: 'jane@uni.org',
      site: 'cloud.example:8443'
    });
  });

  it('refuses text without a user or a site', () => {
    expect(splitFederatedId('bob')).toBeNull();
    expect(splitFederatedId('@site')).toBeNull();
    expect(splitFederatedId('bob@')).toBeNull();
  });
});

describe('personLabel', () => {
  it('shows the display name and the address', () => {
    expect(
      personLabel({ id: 'bob', display_name: 'Bob B', site: 'b.example' })
    ).toBe('Bob B (bob@b.example)');
  });

  it('does not repeat the id when there is no real display name', () => {
    expect(
      personLabel({
        id: 'bob',
        display_name: 'bob',
        site: 'b',
        federated_id: 'bob@b'
      })
    ).toBe('bob@b');
  });
});

describe('noRecipientMessage', () => {
  it('says an address names a site outside the mesh, not that no one is called so', () => {
    const message = noRecipientMessage('bob@127.0.0.1:8799', 0, trans);
    expect(message).toContain(
      '"127.0.0.1:8799" is not a site of the ScienceMesh'
    );
    expect(message).not.toContain('Type a name from your site, or user@site');
  });

  it('asks for user@site when a plain name matches no one', () => {
    expect(noRecipientMessage('nobody', 0, trans)).toContain(
      'or user@site for someone at another ScienceMesh site'
    );
  });

  it('asks to pick when several match', () => {
    expect(noRecipientMessage('bo', 2, trans)).toBe(
      'Several people match "bo": pick one from the list.'
    );
  });
});

describe('pickRecipient', () => {
  it('takes the exact match among several', () => {
    expect(pickRecipient('bob@b.example', [bobLocal, bobRemote])).toBe(
      bobRemote
    );
    expect(pickRecipient('BOB', [bobLocal, bobRemote])).toBe(bobLocal);
  });

  it('takes the only suggestion for a partial text', () => {
    expect(pickRecipient('bo', [bobRemote])).toBe(bobRemote);
  });

  it('asks the user to choose when the text is ambiguous or empty', () => {
    expect(pickRecipient('bo', [bobLocal, bobRemote])).toBeNull();
    expect(pickRecipient('  ', [bobLocal])).toBeNull();
    expect(pickRecipient('nobody@b.example', [])).toBeNull();
  });
});

describe('moveActive', () => {
  it('wraps around in both directions', () => {
    expect(moveActive(-1, 1, 3)).toBe(0);
    expect(moveActive(-1, -1, 3)).toBe(2);
    expect(moveActive(2, 1, 3)).toBe(0);
    expect(moveActive(0, -1, 3)).toBe(2);
    expect(moveActive(0, 1, 0)).toBe(-1);
  });
});

describe('expiry dates', () => {
  it('accepts an empty or future date and explains a bad one', () => {
    expect(today(NOW)).toBe('2030-05-15');
    expect(expiryProblem('', trans, NOW)).toBeNull();
    expect(expiryProblem('2030-05-16', trans, NOW)).toBeNull();
    expect(expiryProblem('2030-05-15', trans, NOW)).toBe(
      'The expiry date must be in the future.'
    );
    expect(expiryProblem('15/06/2030', trans, NOW)).toBe(
      'Write the expiry date as YYYY-MM-DD.'
    );
  });
});

describe('shareRequest', () => {
  it('sends the recipient id and type, and only the options that were filled in', () => {
    expect(
      shareRequest(
        {
          path: 'a/b.ipynb',
          recipient: bobRemote,
          permission: 'edit',
          expiration: '',
          note: '   '
        },
        trans,
        NOW
      )
    ).toEqual({
      share: {
        path: 'a/b.ipynb',
        type: 'federated',
        recipient: 'bob@b.example',
        permission: 'edit'
      }
    });
    expect(
      shareRequest(
        {
          path: 'a',
          recipient: bobLocal,
          permission: 'view',
          expiration: '2030-06-01',
          note: ' please review '
        },
        trans,
        NOW
      )
    ).toEqual({
      share: {
        path: 'a',
        type: 'user',
        recipient: 'bob',
        permission: 'view',
        expiration: '2030-06-01',
        note: 'please review'
      }
    });
  });

  it('refuses a past expiry before anything is sent', () => {
    expect(
      shareRequest(
        {
          path: 'a',
          recipient: bobLocal,
          permission: 'view',
          expiration: '2020-01-01',
          note: ''
        },
        trans,
        NOW
      )
    ).toEqual({ error: 'The expiry date must be in the future.' });
  });
});

describe('linkRequest', () => {
  it('makes a view-only link with the optional password', () => {
    expect(
      linkRequest(
        { path: 'x.ipynb', password: 's3cret', expiration: '' },
        trans,
        null,
        NOW
      )
    ).toEqual({
      share: {
        path: 'x.ipynb',
        type: 'link',
        permission: 'view',
        password: 's3cret'
      }
    });
  });

  const nextcloud = {
    password_required: false,
    password_min_length: 10,
    expiration_required: true,
    expiration_max_days: 7
  };

  it("refuses what the site's link policy would refuse, before sending", () => {
    const ask = (password: string, expiration: string) =>
      linkRequest({ path: 'x', password, expiration }, trans, nextcloud, NOW);
    expect(ask('abc', '2030-05-20')).toEqual({
      error: 'Your site requires link passwords of at least 10 characters.'
    });
    expect(ask('', '')).toEqual({
      error: 'Your site requires an expiry date for public links.'
    });
    expect(ask('', '2030-05-23')).toEqual({
      error: 'Your site allows public links to last at most 7 days.'
    });
    expect(ask('long enough pw', '2030-05-22')).toHaveProperty('share');
  });

  it("states the site's rules in words", () => {
    expect(linkPolicyText(nextcloud, trans)).toBe(
      'Your site requires passwords of at least 10 characters and an expiry date at most 7 days ahead.'
    );
    expect(linkPolicyText(null, trans)).toBe('');
  });
});
