/**
 * The "Shared with me" list as a researcher uses it: what each row offers and
 * what each action does. The application around it (model, file browser) is a
 * set of recording functions here; the browser tests cover the real wiring.
 */
import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import type { IReceivedShare } from '../api';
import type { MeshModel } from '../model';
import type { IPanelContext } from '../panel/context';
import { ReceivedList } from '../panel/received';

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

function share(
  id: string,
  state: IReceivedShare['state'],
  itemType: 'file' | 'directory' = 'file'
): IReceivedShare {
  return {
    id,
    kind: 'federated',
    name: `${id}${itemType === 'file' ? '.ipynb' : ''}`,
    item_type: itemType,
    owner: {
      id: 'alice',
      display_name: 'Alice A',
      site: 'a.example',
      federated_id: 'alice@a.example'
    },
    permission: 'edit',
    state,
    path: state === 'accepted' ? `shared/${id}` : null,
    created: '2030-05-01T10:00:00Z'
  };
}

describe('ReceivedList', () => {
  let host: HTMLDivElement;
  let root: Root;
  const calls: string[] = [];
  const context: IPanelContext = {
    model: {
      accept: async (id: string) => {
        calls.push(`accept ${id}`);
        return share(id, 'accepted');
      },
      decline: async (id: string) => {
        calls.push(`decline ${id}`);
      }
    } as unknown as MeshModel,
    trans: nullTranslator.load('test'),
    run: async (work, success) => {
      const result = await work();
      calls.push(`notify ${success(result)}`);
      return result;
    },
    reveal: path => calls.push(`reveal ${path}`),
    open: (path, itemType) => calls.push(`open ${itemType} ${path}`),
    copy: () => undefined
  };

  beforeEach(() => {
    calls.length = 0;
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  function render(received: IReceivedShare[]) {
    act(() =>
      root.render(<ReceivedList context={context} received={received} />)
    );
  }

  function button(row: Element, name: string): HTMLButtonElement {
    const found = Array.from(row.querySelectorAll('button')).find(
      b => b.textContent === name
    );
    if (!found) {
      throw new Error(`no "${name}" button in ${row.textContent}`);
    }
    return found;
  }

  it('tells a new user what will appear here', () => {
    render([]);
    expect(host.textContent).toContain('Nothing has been shared with you yet');
  });

  it('offers Accept and Decline for a pending share, with who sent it', async () => {
    render([share('draft', 'pending')]);
    const row = host.querySelector('li[data-state="pending"]')!;
    expect(row.textContent).toContain('draft.ipynb');
    expect(row.textContent).toContain('Alice A (alice@a.example)');
    expect(row.textContent).toContain('can edit');

    await act(async () => button(row, 'Accept').click());
    await act(async () => button(row, 'Decline').click());
    expect(calls).toEqual([
      'accept draft',
      'notify "draft.ipynb" is now in your files.',
      'decline draft',
      'notify Declined "draft.ipynb".'
    ]);
  });

  it('does not guess a permission the site has not told yet', () => {
    render([{ ...share('quiet', 'pending'), permission: null }]);
    const row = host.querySelector('li[data-state="pending"]')!;
    expect(row.textContent).not.toMatch(/view only|can edit/);
  });

  it('opens an accepted notebook or folder with Open or a double-click', () => {
    render([share('nb', 'accepted'), share('folder', 'accepted', 'directory')]);
    const [notebook, folder] = Array.from(
      host.querySelectorAll('li[data-state="accepted"]')
    );
    expect(button(notebook, 'Open').title).toBe('Open "nb.ipynb"');
    act(() => button(notebook, 'Open').click());
    act(() => button(folder, 'Open').click());
    act(() => {
      notebook.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
    });
    expect(calls).toEqual([
      'open file shared/nb',
      'open directory shared/folder',
      'open file shared/nb'
    ]);
  });
});

describe('ReceivedList: what the sender said, and a site that is down', () => {
  let host: HTMLDivElement;
  let root: Root;
  const context = {
    model: {
      accept: async (id: string) => share(id, 'accepted'),
      decline: async () => undefined
    } as unknown as MeshModel,
    trans: nullTranslator.load('test'),
    run: async <T,>(work: () => Promise<T>) => work(),
    reveal: () => undefined,
    open: () => undefined,
    copy: () => undefined
  } as IPanelContext;

  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  function render(received: IReceivedShare[]) {
    act(() =>
      root.render(<ReceivedList context={context} received={received} />)
    );
  }

  it("shows the sender's note, the expiry and the share date when the server sends them", () => {
    render([
      {
        ...share('report', 'pending'),
        note: 'Please check section 2',
        expiration: '2030-06-30'
      }
    ]);
    const row = host.querySelector('li[data-state="pending"]')!;
    expect(row.textContent).toContain('Note: Please check section 2');
    expect(row.textContent).toContain(
      `until ${new Date(2030, 5, 30).toLocaleDateString()}`
    );
    expect(row.textContent).toContain(
      `shared on ${new Date('2030-05-01T10:00:00Z').toLocaleDateString()}`
    );
  });

  it("keeps a share whose owner's site is down, marked, with the reason", () => {
    render([
      {
        ...share('climate', 'accepted', 'directory'),
        problem: {
          reason: 'owner_site_unreachable',
          message: 'Site b (127.0.0.1:8762) is not answering.'
        }
      }
    ]);
    const row = host.querySelector('li[data-state="accepted"]')!;
    expect(row.getAttribute('data-problem')).toBe('owner_site_unreachable');
    expect(row.textContent).toContain(
      'Site b (127.0.0.1:8762) is not answering.'
    );
  });

  it('lists a revoked share apart, with why, until the user dismisses it', () => {
    render([
      {
        ...share('gone', 'accepted'),
        state: 'revoked',
        path: null,
        problem: {
          reason: 'revoked',
          message: 'Alice A no longer shares "gone.ipynb" with you.'
        }
      }
    ]);
    const row = host.querySelector('li[data-state="revoked"]')!;
    expect(host.textContent).toContain('No longer shared with you');
    expect(row.textContent).toContain('no longer shares');
    expect(
      Array.from(row.querySelectorAll('button')).map(b => b.textContent)
    ).toEqual(['Dismiss']);
  });

  it('gives the focus to Open once a share is accepted, and to the next row after Decline', async () => {
    render([share('one', 'pending'), share('two', 'pending')]);
    const [first] = Array.from(host.querySelectorAll('li'));
    const accept = Array.from(first.querySelectorAll('button')).find(
      b => b.textContent === 'Accept'
    )!;
    await act(async () => accept.click());
    render([share('one', 'accepted'), share('two', 'pending')]);
    expect(document.activeElement?.textContent).toBe('Open');
    expect(
      document.activeElement?.closest('li')?.getAttribute('data-share-id')
    ).toBe('one');

    render([share('two', 'pending'), share('three', 'pending')]);
    const two = host.querySelector('li[data-share-id="two"]')!;
    const decline = Array.from(two.querySelectorAll('button')).find(
      b => b.textContent === 'Decline'
    )!;
    await act(async () => decline.click());
    render([share('three', 'pending')]);
    expect(
      document.activeElement?.closest('li')?.getAttribute('data-share-id')
    ).toBe('three');
  });
});
