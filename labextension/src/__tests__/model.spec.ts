/**
 * The model's own logic (what counts as a new share, independent parts).
 * The API is replaced by an in-process fake object here: these tests are about
 * the model's decisions, and the client's HTTP is tested in api.spec.ts.
 */
import type { CS3Api, IReceivedShare } from '../api';
import { CS3ApiError } from '../api';
import { IArrivals, MeshModel } from '../model';

function received(id: string, state: IReceivedShare['state']): IReceivedShare {
  return {
    id,
    kind: 'federated',
    name: `${id}.ipynb`,
    item_type: 'file',
    owner: { id: 'alice', display_name: 'Alice', site: 'a.example' },
    permission: 'view',
    state,
    path: state === 'accepted' ? `${id}.ipynb` : null,
    created: null
  };
}

class FakeApi {
  configured = true;
  inbox: IReceivedShare[] = [];
  failContacts = false;

  async version() {
    return { version: '0.1.0', site_configured: this.configured };
  }
  async whoami() {
    return {
      user: 'bob',
      display_name: 'Bob',
      site: { name: 'B', url: 'http://b.example' },
      federated_id: 'bob@b.example'
    };
  }
  calls: string[] = [];
  async received() {
    this.calls.push('received');
    return this.inbox;
  }
  async shares() {
    return [];
  }
  async meshSites() {
    this.calls.push('sites');
    return [];
  }
  async contacts() {
    if (this.failContacts) {
      throw new CS3ApiError('The contacts service is down.', 502, 'site_error');
    }
    return [];
  }
  async acceptReceived(id: string) {
    this.inbox = this.inbox.map(s =>
      s.id === id ? { ...s, state: 'accepted' as const, path: s.name } : s
    );
    return this.inbox.find(s => s.id === id)!;
  }
}

function setup() {
  const api = new FakeApi();
  const model = new MeshModel(api as unknown as CS3Api);
  const arrivals: IArrivals[] = [];
  model.arrived.connect((_, a) => arrivals.push(a));
  return { api, model, arrivals };
}

describe('MeshModel', () => {
  it('announces pending shares once: all at first, then only new ones', async () => {
    const { api, model, arrivals } = setup();
    api.inbox = [received('one', 'pending'), received('old', 'accepted')];
    await model.refresh();
    await model.load('received');
    api.inbox = [...api.inbox, received('two', 'pending')];
    await model.load('received');

    expect(arrivals.map(a => [a.initial, a.shares.map(s => s.id)])).toEqual([
      [true, ['one']],
      [false, ['two']]
    ]);
  });

  it('does not announce a share again after it was accepted', async () => {
    const { api, model, arrivals } = setup();
    api.inbox = [received('one', 'pending')];
    await model.refresh();
    await model.accept('one');
    await model.load('received');
    expect(arrivals).toHaveLength(1);
    expect(model.state.received[0].state).toBe('accepted');
  });

  it('announces a share that ended while the page was open, once', async () => {
    const { api, model } = setup();
    const ended: string[][] = [];
    model.ended.connect((_, shares) => ended.push(shares.map(s => s.id)));
    api.inbox = [received('old', 'revoked'), received('one', 'accepted')];
    await model.refresh();
    api.inbox = [received('old', 'revoked'), received('one', 'revoked')];
    await model.load('received');
    await model.load('received');
    expect(ended).toEqual([['one']]);
  });

  it('keeps the other parts when one part fails', async () => {
    const { api, model } = setup();
    api.failContacts = true;
    api.inbox = [received('one', 'pending')];
    await model.refresh();
    expect(model.state.errors).toEqual({
      contacts: {
        message: 'The contacts service is down.',
        reason: 'site_error'
      }
    });
    expect(model.state.loaded.has('contacts')).toBe(false);
    expect(model.state.received).toHaveLength(1);
    expect(model.state.me?.federated_id).toBe('bob@b.example');
    expect(model.state.loading).toBe(false);
  });

  it('keeps what a part showed when a later load fails, next to the error', async () => {
    const { api, model } = setup();
    api.inbox = [received('one', 'accepted')];
    await model.refresh();
    api.received = async () => {
      throw new CS3ApiError(
        'Site b is not answering.',
        502,
        'site_unreachable'
      );
    };
    await model.load('received');
    expect(model.state.received.map(s => s.id)).toEqual(['one']);
    expect(model.state.loaded.has('received')).toBe(true);
    expect(model.state.errors.received).toEqual({
      message: 'Site b is not answering.',
      reason: 'site_unreachable'
    });
  });

  it('loads nothing else when no EFSS site is configured', async () => {
    const { api, model } = setup();
    api.configured = false;
    await model.refresh();
    expect(model.state.configured).toBe(false);
    expect(model.state.loaded.size).toBe(0);
  });
});

/** The page as the browser reports it to Page Visibility (jsdom's is always visible). */
function setHidden(hidden: boolean): void {
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => (hidden ? 'hidden' : 'visible')
  });
  Object.defineProperty(document, 'hidden', {
    configurable: true,
    get: () => hidden
  });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('MeshModel on an idle page', () => {
  const MINUTE = 60_000;

  beforeEach(() => {
    jest.useFakeTimers();
    setHidden(false);
  });
  afterEach(() => {
    setHidden(false);
    jest.useRealTimers();
  });

  async function polling() {
    const { api, model } = setup();
    await model.refresh();
    api.calls = [];
    model.startPolling(60);
    return { api, model };
  }

  it('checks received shares once a minute while visible, not at the start', async () => {
    const { api, model } = await polling();
    await jest.advanceTimersByTimeAsync(MINUTE - 1000);
    expect(api.calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(2 * MINUTE);
    expect(api.calls).toEqual(['received', 'received']);
    model.dispose();
  });

  it('asks nothing while the page is hidden, from the moment it is hidden', async () => {
    const { api, model } = await polling();
    setHidden(true);
    await jest.advanceTimersByTimeAsync(10 * MINUTE);
    expect(api.calls).toEqual([]);
    model.dispose();
  });

  it('checks when the user comes back after a minute, not when back sooner', async () => {
    const { api, model } = await polling();
    setHidden(true);
    await jest.advanceTimersByTimeAsync(MINUTE / 2);
    setHidden(false);
    window.dispatchEvent(new Event('focus'));
    await jest.advanceTimersByTimeAsync(0);
    expect(api.calls).toEqual([]);

    setHidden(true);
    await jest.advanceTimersByTimeAsync(5 * MINUTE);
    setHidden(false);
    await jest.advanceTimersByTimeAsync(0);
    expect(api.calls).toEqual(['received']);
    // A focus right after that check asks nothing more.
    window.dispatchEvent(new Event('focus'));
    await jest.advanceTimersByTimeAsync(0);
    expect(api.calls).toEqual(['received']);
    model.dispose();
  });

  it('loads the mesh sites only while they are on screen, each time they appear', async () => {
    const { api, model } = setup();
    await model.refresh();
    expect(api.calls).toEqual(['received']);
    model.showSites(true);
    model.showSites(true);
    await model.refresh();
    model.showSites(false);
    model.showSites(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(api.calls).toEqual([
      'received',
      'sites',
      'received',
      'sites',
      'sites'
    ]);
  });
});
