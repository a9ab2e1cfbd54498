/**
 * A typed client for our REST namespace (`<base_url>cs3/api`).
 *
 * The contract is `cs3_jupyter/handlers/openapi.yaml`. Every call goes through
 * {@link ROUTES}, keyed by the OpenAPI `operationId`, so a Jest test can check each
 * method/path pair against that file and the two cannot drift apart silently.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export type Permission = 'view' | 'edit';
export type ItemType = 'file' | 'directory';
export type ShareType = 'user' | 'group' | 'link' | 'federated';

export interface IVersion {
  version: string;
  site_configured: boolean;
}

export interface ISite {
  name: string;
  url: string;
  domain?: string;
}

export interface IMe {
  user: string;
  display_name: string;
  site: ISite;
  federated_id: string;
}

export interface IPerson {
  id: string;
  display_name: string;
  site: string;
  federated_id?: string;
}

export interface IMeshSite {
  name: string;
  url: string;
  domain: string;
  reachable: boolean;
  ocm_version: string | null;
  capabilities: string[];
  is_mine: boolean;
  error?: string;
}

export interface IShare {
  id: string;
  path: string;
  item_type: ItemType;
  type: ShareType;
  recipient: IPerson | null;
  permission: Permission;
  expiration: string | null;
  note: string;
  url?: string;
  has_password: boolean;
  created: string | null;
}

export interface INewShare {
  path: string;
  type: ShareType;
  recipient?: string;
  permission: Permission;
  expiration?: string;
  note?: string;
  password?: string;
}

export interface IShareUpdate {
  permission?: Permission;
  expiration?: string | null;
  note?: string;
  password?: string;
}

export type ReceivedState = 'pending' | 'accepted';

export interface IReceivedShare {
  id: string;
  kind: 'local' | 'federated';
  name: string;
  item_type: ItemType;
  owner: IPerson;
  /** Null when the site does not say yet (Nextcloud tells it only once accepted). */
  permission: Permission | null;
  state: ReceivedState;
  path: string | null;
  created: string | null;
}

export interface IRecipient {
  type: 'user' | 'group' | 'federated';
  id: string;
  label: string;
  site: string;
  source: 'local' | 'contact' | 'typed';
}

export interface IContact {
  user: string;
  display_name: string;
  site: string;
  federated_id: string;
}

export interface IInvitation {
  token: string;
  link: string;
  expiration: string | null;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Every operation the client performs: OpenAPI operationId -> [method, path template]. */
export const ROUTES = {
  getVersion: ['GET', '/version'],
  whoami: ['GET', '/whoami'],
  listMeshSites: ['GET', '/mesh/sites'],
  listShares: ['GET', '/shares'],
  createShare: ['POST', '/shares'],
  updateShare: ['PATCH', '/shares/{id}'],
  deleteShare: ['DELETE', '/shares/{id}'],
  listReceived: ['GET', '/received'],
  acceptReceived: ['POST', '/received/{id}/accept'],
  declineReceived: ['POST', '/received/{id}/decline'],
  searchRecipients: ['GET', '/recipients'],
  listContacts: ['GET', '/contacts'],
  deleteContact: ['DELETE', '/contacts/{site}/{user}'],
  createInvitation: ['POST', '/invitations'],
  acceptInvitation: ['POST', '/invitations/accept']
} as const satisfies Record<string, readonly [Method, string]>;

export type OperationId = keyof typeof ROUTES;

/**
 * An error from the API, carrying the server's message (written for a researcher)
 * and its machine `reason`, so the UI can show the words and branch on the code.
 */
export class CS3ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string | null
  ) {
    super(message);
    this.name = 'CS3ApiError';
  }
}

/** Fill `{name}` placeholders of a path template with URL-encoded values. */
export function expandPath(
  template: string,
  params: Record<string, string> = {}
): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) {
      throw new Error(`Missing path parameter "${name}" for ${template}`);
    }
    return encodeURIComponent(value);
  });
}

interface IRequestOptions {
  params?: Record<string, string>;
  query?: Record<string, string | undefined>;
  body?: unknown;
}

export class CS3Api {
  constructor(
    readonly serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  version(): Promise<IVersion> {
    return this.call('getVersion');
  }

  whoami(): Promise<IMe> {
    return this.call('whoami');
  }

  meshSites(): Promise<IMeshSite[]> {
    return this.call('listMeshSites');
  }

  /** Shares I created; all of them, or only those of one contents path. */
  shares(path?: string): Promise<IShare[]> {
    return this.call('listShares', { query: { path } });
  }

  createShare(share: INewShare): Promise<IShare> {
    return this.call('createShare', { body: share });
  }

  updateShare(id: string, update: IShareUpdate): Promise<IShare> {
    return this.call('updateShare', { params: { id }, body: update });
  }

  deleteShare(id: string): Promise<void> {
    return this.call('deleteShare', { params: { id } });
  }

  received(state: ReceivedState | 'all' = 'all'): Promise<IReceivedShare[]> {
    return this.call('listReceived', { query: { state } });
  }

  acceptReceived(id: string): Promise<IReceivedShare> {
    return this.call('acceptReceived', { params: { id } });
  }

  declineReceived(id: string): Promise<void> {
    return this.call('declineReceived', { params: { id } });
  }

  recipients(q: string): Promise<IRecipient[]> {
    return this.call('searchRecipients', { query: { q } });
  }

  contacts(): Promise<IContact[]> {
    return this.call('listContacts');
  }

  deleteContact(site: string, user: string): Promise<void> {
    return this.call('deleteContact', { params: { site, user } });
  }

  createInvitation(description?: string): Promise<IInvitation> {
    return this.call('createInvitation', {
      body: description ? { description } : {}
    });
  }

  acceptInvitation(token: string, site: string): Promise<IContact> {
    return this.call('acceptInvitation', { body: { token, site } });
  }

  private async call<T>(
    operation: OperationId,
    options: IRequestOptions = {}
  ): Promise<T> {
    const [method, template] = ROUTES[operation];
    let url = URLExt.join(
      this.serverSettings.baseUrl,
      'cs3/api',
      expandPath(template, options.params)
    );
    const query = Object.entries(options.query ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined
    );
    if (query.length) {
      url += URLExt.objectToQueryString(Object.fromEntries(query));
    }
    const init: RequestInit = { method };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        url,
        init,
        this.serverSettings
      );
    } catch {
      throw new CS3ApiError(
        'Cannot reach the Jupyter server. Check your connection and try again.',
        0,
        'network'
      );
    }
    const text = await response.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (!response.ok) {
      const error = (data ?? {}) as { message?: unknown; reason?: unknown };
      throw new CS3ApiError(
        typeof error.message === 'string' && error.message
          ? error.message
          : `The sharing service answered unexpectedly (HTTP ${response.status}).`,
        response.status,
        typeof error.reason === 'string' ? error.reason : null
      );
    }
    return data as T;
  }
}
