/**
 * The API client over real HTTP. The peer is a small Node server on 127.0.0.1
 * that records what it receives and answers as the OpenAPI file says: a real
 * Jupyter server cannot run inside Jest (the browser tests in tests/ui exercise
 * the client against the real one).
 */
import { ServerConnection } from '@jupyterlab/services';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';

import { CS3Api, CS3ApiError } from '../api';

interface IRecorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Reply = { status: number; body?: string; type?: string };

/** The path of a recorded request (JupyterLab appends a cache-busting query). */
function pathOf(request: IRecorded): string {
  return new URL(request.url, 'http://127.0.0.1').pathname;
}

let server: Server;
let baseUrl: string;
let recorded: IRecorded[] = [];
let reply: Reply = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', () => {
      recorded.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body
      });
      res.writeHead(reply.status, {
        'Content-Type': reply.type ?? 'application/json'
      });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}/user/alice/`;
});

afterAll(async () => {
  await new Promise(resolve => server.close(resolve));
});

beforeEach(() => {
  recorded = [];
  reply = { status: 200, body: '{}' };
});

function client(url = baseUrl): CS3Api {
  return new CS3Api(
    ServerConnection.makeSettings({ baseUrl: url, token: 'secret-token' })
  );
}

describe('CS3Api', () => {
  it('sends a new share as JSON under the base URL, authenticated', async () => {
    const share = {
      id: '7',
      path: 'papers/draft.ipynb',
      item_type: 'file',
      type: 'federated',
      recipient: { id: 'bob', display_name: 'Bob', site: 'b.example' },
      permission: 'edit',
      expiration: null,
      note: '',
      has_password: false,
      created: null
    };
    reply = { status: 201, body: JSON.stringify(share) };

    const created = await client().createShare({
      path: 'papers/draft.ipynb',
      type: 'federated',
      recipient: 'bob@b.example',
      permission: 'edit'
    });

    expect(created).toEqual(share);
    expect(recorded).toHaveLength(1);
    const [request] = recorded;
    expect(request.method).toBe('POST');
    expect(pathOf(request)).toBe('/user/alice/cs3/api/shares');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['authorization']).toBe('token secret-token');
    expect(JSON.parse(request.body)).toEqual({
      path: 'papers/draft.ipynb',
      type: 'federated',
      recipient: 'bob@b.example',
      permission: 'edit'
    });
  });

  it('encodes query values and leaves out absent ones', async () => {
    reply = { status: 200, body: '[]' };
    await client().shares('my folder/Ünïcode & more.ipynb');
    await client().shares();

    const [withPath, all] = recorded.map(r => new URL(r.url, baseUrl));
    expect(withPath.pathname).toBe('/user/alice/cs3/api/shares');
    expect(withPath.searchParams.get('path')).toBe(
      'my folder/Ünïcode & more.ipynb'
    );
    expect(all.searchParams.has('path')).toBe(false);
  });

  it('encodes path parameters, so ids with @, : or / stay one segment', async () => {
    reply = { status: 204 };
    await expect(
      client().deleteContact('127.0.0.1:8081', 'bob@lab/x')
    ).resolves.toBeUndefined();
    expect(recorded[0].method).toBe('DELETE');
    expect(pathOf(recorded[0])).toBe(
      '/user/alice/cs3/api/contacts/127.0.0.1%3A8081/bob%40lab%2Fx'
    );
  });

  it('turns an error body into a CS3ApiError with the server message and reason', async () => {
    reply = {
      status: 404,
      body: JSON.stringify({
        message: 'There is no user "nobody" at site B.',
        reason: 'unknown_recipient'
      })
    };
    const error = await client()
      .recipients('nobody@b.example')
      .catch(e => e);
    expect(error).toBeInstanceOf(CS3ApiError);
    expect(error.message).toBe('There is no user "nobody" at site B.');
    expect(error.reason).toBe('unknown_recipient');
    expect(error.status).toBe(404);
    expect(new URL(recorded[0].url, baseUrl).searchParams.get('q')).toBe(
      'nobody@b.example'
    );
  });

  it('says plainly when the answer is not our JSON (e.g. a proxy error page)', async () => {
    reply = {
      status: 502,
      body: '<html>Bad gateway</html>',
      type: 'text/html'
    };
    const error = await client()
      .meshSites()
      .catch(e => e);
    expect(error).toBeInstanceOf(CS3ApiError);
    expect(error.message).toBe(
      'The sharing service answered unexpectedly (HTTP 502).'
    );
    expect(error.reason).toBeNull();
    expect(error.message).not.toContain('html');
  });

  it('reports an unreachable server as a network error', async () => {
    const closed = createServer();
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise(resolve => closed.close(resolve));

    const error = await client(`http://127.0.0.1:${port}/`)
      .version()
      .catch(e => e);
    expect(error).toBeInstanceOf(CS3ApiError);
    expect(error.reason).toBe('network');
    expect(error.status).toBe(0);
  });
});
