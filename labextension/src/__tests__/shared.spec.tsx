/**
 * A row of "Shared by me" (also used in the Share dialog): what it says about the
 * share and what its controls do. The model and clipboard are recording functions.
 */
import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import type { IShare } from '../api';
import type { MeshModel } from '../model';
import type { IPanelContext } from '../panel/context';
import { SharedList } from '../panel/shared';

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

const federated: IShare = {
  id: 's1',
  path: 'papers/draft.ipynb',
  item_type: 'file',
  type: 'federated',
  recipient: {
    id: 'bob',
    display_name: 'Bob B',
    site: 'b.example',
    federated_id: 'bob@b.example'
  },
  permission: 'view',
  expiration: '2030-06-01',
  note: '',
  has_password: false,
  created: null
};

const link: IShare = {
  ...federated,
  id: 's2',
  type: 'link',
  recipient: null,
  url: 'https://a.example/s/abc',
  has_password: true,
  expiration: null,
  created: '2030-05-02T09:00:00Z'
};

describe('SharedList', () => {
  let host: HTMLDivElement;
  let root: Root;
  const calls: string[] = [];
  const context: IPanelContext = {
    model: {
      updateShare: async (id: string, update: object) => {
        calls.push(`update ${id} ${JSON.stringify(update)}`);
      },
      revoke: async (id: string) => {
        calls.push(`revoke ${id}`);
      }
    } as unknown as MeshModel,
    trans: nullTranslator.load('test'),
    run: async (work, success) => {
      const result = await work();
      calls.push(`notify ${success(result)}`);
      return result;
    },
    reveal: path => calls.push(`reveal ${path}`),
    open: () => undefined,
    copy: (text, what) => calls.push(`copy ${what} ${text}`)
  };

  beforeEach(() => {
    calls.length = 0;
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    act(() =>
      root.render(<SharedList context={context} shares={[federated, link]} />)
    );
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  const row = (type: string) =>
    host.querySelector(`li[data-share-type="${type}"]`)!;
  const button = (el: Element, name: string) =>
    Array.from(el.querySelectorAll('button')).find(
      b => b.textContent === name
    )!;

  it('says what is shared, with whom and until when', () => {
    const text = row('federated').textContent;
    expect(text).toContain('draft.ipynb');
    expect(text).toContain('with Bob B (bob@b.example)');
    expect(text).toContain('until');
    expect(row('link').textContent).toContain(
      'Public link (password protected)'
    );
    // Two links to one item are told apart by when they were made.
    expect(row('link').textContent).toContain(
      `created ${new Date('2030-05-02T09:00:00Z').toLocaleDateString()}`
    );
  });

  it('changes the permission', async () => {
    const select = row('federated').querySelector('select')!;
    await act(async () => {
      select.value = 'edit';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(calls).toEqual([
      'update s1 {"permission":"edit"}',
      'notify Bob B (bob@b.example) can now edit "draft.ipynb".'
    ]);
  });

  const question = () => row('federated').querySelector('[role="group"]');
  const escape = (el: Element) =>
    act(() => {
      el.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })
      );
    });

  it('asks before revoking; Cancel or Escape keeps the share', () => {
    act(() => button(row('federated'), 'Revoke').click());
    expect(question()?.getAttribute('aria-label')).toBe(
      'Stop sharing "draft.ipynb" with Bob B (bob@b.example)?'
    );
    // The confirming button has the focus, so the keyboard user is at the question.
    expect(document.activeElement).toBe(button(question()!, 'Revoke'));
    escape(document.activeElement!);
    expect(question()).toBeNull();
    expect(document.activeElement).toBe(button(row('federated'), 'Revoke'));

    act(() => button(row('federated'), 'Revoke').click());
    act(() => button(question()!, 'Cancel').click());
    expect(question()).toBeNull();
    expect(calls).toEqual([]);
  });

  it('revokes once confirmed, and gives the focus to the next row', async () => {
    act(() => button(row('federated'), 'Revoke').click());
    await act(async () => button(question()!, 'Revoke').click());
    expect(calls).toEqual([
      'revoke s1',
      'notify "draft.ipynb" is no longer shared with Bob B (bob@b.example).'
    ]);
    // Its first control: the item's name, which shows it in the file browser.
    expect(row('link').contains(document.activeElement)).toBe(true);
    expect(document.activeElement?.textContent).toBe('draft.ipynb');
  });

  it('copies a link and has no permission choice for it', () => {
    expect(row('link').querySelector('select')).toBeNull();
    act(() => button(row('link'), 'Copy link').click());
    expect(calls).toEqual(['copy Link https://a.example/s/abc']);
  });
});
