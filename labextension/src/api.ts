/**
 * A typed client for our REST namespace (`<base_url>cs3/api`).
 *
 * The contract is `cs3_jupyter/handlers/openapi.yaml`. The models and each
 * operation's parameters, body and answer are TypeScript types generated from that
 * file, and every call goes through {@link ROUTES}, keyed by the OpenAPI
 * `operationId`, so the client cannot drift from the server's contract silently.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

// Generated from openapi.yaml by `jlpm build:api` before every build, test and lint
// (src/generated/ is not committed): renaming a field on the server breaks this build.
import type { components, operations } from './generated/openapi';

type Schemas = components['schemas'];

/* The API's models, exactly as openapi.yaml defines them. */
export type Permission = Schemas['Permission'];
export type IMe = Schemas['Me'];
export type IPerson = Schemas['Person'];
export type IMeshSite = Schemas['MeshSite'];
export type IShare = Schemas['Share'];
export type INewShare = Schemas['NewShare'];
export type IShareUpdate = Schemas['ShareUpdate'];
export type IReceivedShare = Schemas['ReceivedShare'];
export type IRecipient = Schemas['Recipient'];
export type IContact = Schemas['Contact'];
export type IInvitation = Schemas['Invitation'];
export type ItemType = IShare['item_type'];
export type ILinkPolicy = NonNullable<IMe['link_policy']>;
export type ReceivedState = IReceivedShare['state'];

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * Every operation the client performs: OpenAPI operationId -> [method, path template].
 * Keys must be operationIds of openapi.yaml (checked by tsc); the method and path of
 * each are checked against the file by src/__tests__/openapi.spec.ts.
 */
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
} as const satisfies Partial<
  Record<keyof operations, readonly [Method, string]>
>;

export type OperationId = keyof typeof ROUTES;

/* What each operation sends and answers, read from the generated OpenAPI types. */
type Json<T> = T extends { content: { 'application/json': infer Body } }
  ? Body
  : void;
type Success<Responses> = Responses extends { 200: infer R }
  ? R
  : Responses extends { 201: infer R }
    ? R
    : Responses extends { 204: unknown }
      ? void
      : never;
/** The JSON body of an operation's success answer (void for 204). */
export type ResponseOf<K extends OperationId> = Json<
  Success<operations[K]['responses']>
>;
type BodyOf<K extends OperationId> = operations[K] extends {
  requestBody?: infer Body;
}
  ? Json<NonNullable<Body>>
  : never;
type ParametersOf<K extends OperationId> = operations[K]['parameters'];

interface IRequestOptions<K extends OperationId> {
  params?: ParametersOf<K>['path'];
  query?: ParametersOf<K>['query'];
  body?: BodyOf<K>;
}

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

export class CS3Api {
  constructor(
    readonly serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  version(): Promise<ResponseOf<'getVersion'>> {
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

  private async call<K extends OperationId>(
    operation: K,
    options: IRequestOptions<K> = {}
  ): Promise<ResponseOf<K>> {
    const [method, template] = ROUTES[operation];
    let url = URLExt.join(
      this.serverSettings.baseUrl,
      'cs3/api',
      expandPath(template, options.params as Record<string, string>)
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
    return data as ResponseOf<K>;
  }
}
