import type { Contents } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';

import type { IReceivedShare, IShare } from '../api';
import { ShareMarkRenderer, shareMarks } from '../shareMarks';

const trans = nullTranslator.load('jupyter-sciencemesh');
const bob = {
  id: 'bob',
  display_name: 'Bob',
  site: 'b.example',
  federated_id: 'bob@b.example'
};

function share(path: string, extra: Partial<IShare> = {}): IShare {
  return {
    id: path,
    path,
    item_type: 'file',
    type: 'federated',
    recipient: bob,
    permission: 'view',
    expiration: null,
    note: '',
    has_password: false,
    created: null,
    ...extra
  };
}

function received(
  path: string | null,
  state: IReceivedShare['state'] = 'accepted'
): IReceivedShare {
  return {
    id: `r-${path}`,
    kind: 'federated',
    name: 'x',
    item_type: 'file',
    owner: bob,
    permission: 'edit',
    state,
    path,
    created: null
  };
}

describe('shareMarks', () => {
  it('marks what I share, with everyone who has access', () => {
    const marks = shareMarks(
      {
        shares: [
          share('/data/a.csv'),
          share('data/a.csv', { type: 'link', recipient: null })
        ],
        received: []
      },
      trans
    );
    expect([...marks]).toEqual([
      [
        'data/a.csv',
        {
          kind: 'by-me',
          label: 'Shared by you with Bob (bob@b.example), Public link'
        }
      ]
    ]);
  });

  it('marks accepted received shares only, and they win over my own share', () => {
    const marks = shareMarks(
      {
        shares: [share('From Bob')],
        received: [
          received('From Bob/'),
          received(null, 'pending'),
          received('Gone', 'revoked')
        ]
      },
      trans
    );
    expect([...marks]).toEqual([
      [
        'From Bob',
        {
          kind: 'with-me',
          label:
            'Shared with you by Bob (bob@b.example). Shared by you with Bob (bob@b.example)'
        }
      ]
    ]);
  });
});

describe('ShareMarkRenderer', () => {
  const item = (path: string) =>
    ({
      name: path.split('/').pop(),
      path,
      type: 'file',
      writable: true,
      created: '2030-01-01T00:00:00Z',
      last_modified: '2030-01-01T00:00:00Z',
      mimetype: 'text/plain',
      content: null,
      format: null
    }) as Contents.IModel;

  function draw(renderer: ShareMarkRenderer, path: string): HTMLElement {
    const node = renderer.createItemNode();
    document.body.appendChild(node);
    renderer.updateItemNode(node, item(path));
    return node;
  }

  afterEach(() => document.body.replaceChildren());

  it('adds a labelled mark to shared items only', () => {
    const renderer = new ShareMarkRenderer();
    renderer.setMarks(
      new Map([
        ['notes.txt', { kind: 'by-me', label: 'Shared by you with Bob' }]
      ])
    );
    const shared = draw(renderer, 'notes.txt');
    const plain = draw(renderer, 'other.txt');
    const mark = shared.querySelector('.jp-DirListing-itemName [role="img"]');
    expect(mark?.getAttribute('aria-label')).toBe('Shared by you with Bob');
    expect(mark?.querySelector('svg')).not.toBeNull();
    expect(shared.dataset.sciencemeshShare).toBe('by-me');
    expect(plain.querySelector('[role="img"]')).toBeNull();
    expect(plain.dataset.sciencemeshShare).toBeUndefined();
  });

  it('updates the items on screen when the marks change, and forgets removed ones', () => {
    const renderer = new ShareMarkRenderer();
    const node = draw(renderer, 'notes.txt');
    const gone = draw(renderer, 'old.txt');
    gone.remove();
    renderer.setMarks(
      new Map([
        ['notes.txt', { kind: 'with-me', label: 'Shared with you by Bob' }],
        ['old.txt', { kind: 'by-me', label: 'Shared by you' }]
      ])
    );
    expect(node.dataset.sciencemeshShare).toBe('with-me');
    expect(gone.dataset.sciencemeshShare).toBeUndefined();
    renderer.setMarks(new Map());
    expect(node.querySelector('[role="img"]')).toBeNull();
    expect(node.dataset.sciencemeshShare).toBeUndefined();
  });

  it('moves the mark with the item when the listing reuses a node', () => {
    const renderer = new ShareMarkRenderer();
    renderer.setMarks(
      new Map([['a.txt', { kind: 'by-me', label: 'Shared by you' }]])
    );
    const node = draw(renderer, 'a.txt');
    renderer.updateItemNode(node, item('b.txt'));
    expect(node.querySelector('[role="img"]')).toBeNull();
    renderer.setMarks(
      new Map([['b.txt', { kind: 'by-me', label: 'Shared by you' }]])
    );
    expect(node.querySelector('[role="img"]')).not.toBeNull();
  });
});
