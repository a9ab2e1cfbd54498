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
  state: 'pending' | 'accepted',
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
    open: path => calls.push(`open ${path}`),
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

  it('opens an accepted notebook on double-click and reveals it with Open', () => {
    render([share('nb', 'accepted'), share('folder', 'accepted', 'directory')]);
    const [notebook, folder] = Array.from(
      host.querySelectorAll('li[data-state="accepted"]')
    );
    act(() => button(notebook, 'Open').click());
    act(() => {
      notebook.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
      folder.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
    });
    expect(calls).toEqual([
      'reveal shared/nb',
      'open shared/nb',
      'reveal shared/folder'
    ]);
  });
});
