/**
 * The ScienceMesh state the panel shows, and every action that changes it.
 *
 * The panel and the Share dialog both go through one model, so a share made or
 * revoked in the dialog shows up in the panel without a manual refresh. Each part
 * (received, shares, sites, contacts) loads on its own: one failing part shows
 * its own error and does not blank the others.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { CS3ApiError } from './api';
import type {
  CS3Api,
  IContact,
  IInvitation,
  IMe,
  IMeshSite,
  INewShare,
  IReceivedShare,
  IRecipient,
  IShare,
  IShareUpdate
} from './api';

export type Part = 'me' | 'received' | 'shares' | 'sites' | 'contacts';

/** Why a part failed to load: the server's message and its machine reason. */
export interface IPartError {
  message: string;
  /** The API's `reason` (`site_unreachable`, …); `network` when our server is unreachable. */
  reason: string | null;
}

export interface IMeshState {
  /** Whether the server has an EFSS site configured; null until known. */
  configured: boolean | null;
  me: IMe | null;
  received: IReceivedShare[];
  shares: IShare[];
  sites: IMeshSite[];
  contacts: IContact[];
  /** Parts whose last load failed, with the server's message. */
  errors: Partial<Record<Part, IPartError>>;
  /**
   * Parts loaded successfully at least once. A part that fails later keeps what
   * it last showed, next to its error, instead of vanishing.
   */
  loaded: ReadonlySet<Part>;
  loading: boolean;
}

/** Pending shares not seen before; `initial` on the first load of a session. */
export interface IArrivals {
  shares: IReceivedShare[];
  initial: boolean;
}

const PARTS: readonly Part[] = [
  'me',
  'received',
  'shares',
  'sites',
  'contacts'
];

export class MeshModel {
  constructor(readonly api: CS3Api) {}

  get state(): IMeshState {
    return this._state;
  }

  /** Emitted whenever {@link state} changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when shares sent to me arrive (pending, not seen before). */
  get arrived(): ISignal<this, IArrivals> {
    return this._arrived;
  }

  /** Emitted when shares I had received end (revoked, expired, deleted by the owner). */
  get ended(): ISignal<this, IReceivedShare[]> {
    return this._ended;
  }

  /** Load everything; parts load in parallel and fail independently. */
  async refresh(): Promise<void> {
    this.update({ loading: true });
    try {
      const version = await this.api.version();
      this.update({ configured: version.site_configured });
    } catch {
      this.update({ configured: null });
    }
    if (this._state.configured === false) {
      this.update({ loading: false });
      return;
    }
    // Mesh-site status probes every site of the mesh: only while someone looks at it.
    const parts = PARTS.filter(part => part !== 'sites' || this._sitesShown);
    await Promise.all(parts.map(part => this.load(part)));
    this.update({ loading: false });
  }

  /**
   * Whether the mesh sites' status is on screen. It is loaded when it comes into
   * view (each time: the status is what the sites answer now) and never otherwise,
   * since each load asks every site of the mesh.
   */
  showSites(shown: boolean): void {
    const appearing = shown && !this._sitesShown;
    this._sitesShown = shown;
    if (appearing && this._state.configured !== false) {
      void this.load('sites');
    }
  }

  /** Reload one part (after an action that changed it). */
  async load(part: Part): Promise<void> {
    try {
      switch (part) {
        case 'me':
          this.update({ me: await this.api.whoami() });
          break;
        case 'received':
          this._receivedAt = Date.now();
          this.setReceived(await this.api.received('all'));
          break;
        case 'shares':
          this.update({ shares: await this.api.shares() });
          break;
        case 'sites':
          this.update({ sites: await this.api.meshSites() });
          break;
        case 'contacts':
          this.update({ contacts: await this.api.contacts() });
          break;
      }
      this.markLoaded(part, undefined);
    } catch (error) {
      this.markLoaded(part, {
        message: (error as Error).message,
        reason: error instanceof CS3ApiError ? error.reason : null
      });
    }
  }

  /**
   * Check for new shares every `seconds` (0: never) while the page is visible.
   *
   * An idle tab must cost its site next to nothing (a hub has one per user):
   * nothing while the page is hidden (not even Lumino's one lingering tick), at
   * most one check per interval while visible, and the check that was skipped
   * made when the user comes back (the page shown again, or the window focused)
   * if the last one is older than the interval.
   */
  startPolling(seconds: number): void {
    this._poll?.dispose();
    this._poll = null;
    this._interval = seconds * 1000;
    if (seconds <= 0) {
      return;
    }
    this._poll = new Poll({
      factory: () => this.load('received'),
      frequency: { interval: this._interval, backoff: true, max: 600_000 },
      standby: 'when-hidden',
      linger: 0,
      // The first check is one interval away: refresh() has just loaded everything.
      auto: false,
      name: 'jupyter-sciencemesh:received'
    });
    void this._poll.schedule({ interval: this._interval, phase: 'started' });
    if (!this._watching) {
      this._watching = true;
      document.addEventListener('visibilitychange', this._onReturn);
      window.addEventListener('focus', this._onReturn);
    }
  }

  private _onReturn = (): void => {
    const stale = Date.now() - this._receivedAt >= this._interval;
    if (this._poll && !document.hidden && stale) {
      void this._poll.refresh();
    }
  };

  async accept(id: string): Promise<IReceivedShare> {
    const accepted = await this.api.acceptReceived(id);
    await this.load('received');
    return accepted;
  }

  async decline(id: string): Promise<void> {
    await this.api.declineReceived(id);
    await this.load('received');
  }

  async createShare(share: INewShare): Promise<IShare> {
    const created = await this.api.createShare(share);
    await this.load('shares');
    return created;
  }

  async updateShare(id: string, update: IShareUpdate): Promise<IShare> {
    const updated = await this.api.updateShare(id, update);
    await this.load('shares');
    return updated;
  }

  async revoke(id: string): Promise<void> {
    await this.api.deleteShare(id);
    await this.load('shares');
  }

  /** People and groups I can share with, for the Share dialog's search box. */
  searchRecipients(text: string): Promise<IRecipient[]> {
    return this.api.recipients(text);
  }

  createInvitation(description?: string): Promise<IInvitation> {
    return this.api.createInvitation(description);
  }

  async acceptInvitation(token: string, site: string): Promise<IContact> {
    const contact = await this.api.acceptInvitation(token, site);
    await this.load('contacts');
    return contact;
  }

  async deleteContact(contact: IContact): Promise<void> {
    await this.api.deleteContact(contact.site, contact.user);
    await this.load('contacts');
  }

  dispose(): void {
    this._poll?.dispose();
    this._poll = null;
    document.removeEventListener('visibilitychange', this._onReturn);
    window.removeEventListener('focus', this._onReturn);
    Signal.clearData(this);
  }

  private setReceived(received: IReceivedShare[]): void {
    const pending = received.filter(share => share.state === 'pending');
    const revoked = received.filter(share => share.state === 'revoked');
    const initial = this._seenPending === null;
    const seen = this._seenPending ?? new Set<string>();
    const fresh = pending.filter(share => !seen.has(share.id));
    this._seenPending = new Set([...seen, ...pending.map(share => share.id)]);
    // Shares that ended while this page was open; those listed at the first load
    // are in the panel already and are not announced on every page load.
    const ended = initial
      ? []
      : revoked.filter(share => !this._seenRevoked.has(share.id));
    revoked.forEach(share => this._seenRevoked.add(share.id));
    this.update({ received });
    if (fresh.length) {
      this._arrived.emit({ shares: fresh, initial });
    }
    if (ended.length) {
      this._ended.emit(ended);
    }
  }

  private markLoaded(part: Part, error: IPartError | undefined): void {
    const errors = { ...this._state.errors };
    const loaded = new Set(this._state.loaded);
    if (error === undefined) {
      delete errors[part];
      loaded.add(part);
    } else {
      errors[part] = error;
    }
    this.update({ errors, loaded });
  }

  private update(change: Partial<IMeshState>): void {
    this._state = { ...this._state, ...change };
    this._changed.emit();
  }

  private _state: IMeshState = {
    configured: null,
    me: null,
    received: [],
    shares: [],
    sites: [],
    contacts: [],
    errors: {},
    loaded: new Set(),
    loading: false
  };
  private _seenPending: Set<string> | null = null;
  private _seenRevoked = new Set<string>();
  private _poll: Poll | null = null;
  private _interval = 0;
  /** When the received shares were last asked for (ms since the epoch). */
  private _receivedAt = 0;
  private _watching = false;
  private _sitesShown = false;
  private _changed = new Signal<this, void>(this);
  private _arrived = new Signal<this, IArrivals>(this);
  private _ended = new Signal<this, IReceivedShare[]>(this);
}
