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
  async received() {
    return this.inbox;
  }
  async shares() {
    return [];
  }
  async meshSites() {
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
