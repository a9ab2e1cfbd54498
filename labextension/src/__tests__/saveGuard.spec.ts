/**
 * The save guard with JupyterLab's real ContentsManager, over real HTTP. The peer
 * is a small Node server on 127.0.0.1 that answers the Jupyter contents API the
 * way our server does (a `hash` on reads that ask for it and on every save) and
 * records each save's body: a Jupyter server cannot run inside Jest; the browser
 * tests in tests/ui run the same plugin against the real one.
 */
import { ContentsManager, ServerConnection } from '@jupyterlab/services';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';

import { SaveGuard } from '../saveGuard';

let server: Server;
let baseUrl: string;
/** What the server says each file's hash is now. */
let current: Map<string, string>;
/** Bodies of the PUTs the server received, by path. */
let saved: { path: string; body: Record<string, unknown> }[];
let counter = 0;

function model(path: string, withHash: boolean, content: unknown = null) {
  return {
    name: path.split('/').pop(),
    path,
    type: 'file',
    writable: true,
    created: '2030-01-01T00:00:00Z',
    last_modified: '2030-01-01T00:00:00Z',
    mimetype: 'text/plain',
    content,
    format: content === null ? null : 'text',
    size: 3,
    ...(withHash
      ? { hash: current.get(path) ?? 'none', hash_algorithm: 'cs3-sha1' }
      : {})
  };
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '', 'http://127.0.0.1');
      const path = decodeURIComponent(
        url.pathname.replace(/^\/api\/contents\/?/, '')
      );
      let answer: unknown;
      if (req.method === 'DELETE') {
        res.writeHead(204);
        res.end();
        return;
      }
      if (req.method === 'PATCH') {
        answer = { ...model(JSON.parse(body).path, false), type: 'directory' };
      } else if (req.method === 'PUT') {
        saved.push({ path, body: JSON.parse(body) });
        current.set(path, `saved-${++counter}`);
        answer = model(path, true);
      } else {
        answer = model(
          path,
          url.searchParams.get('hash') === '1',
          url.searchParams.get('content') === '1' ? 'abc' : null
        );
      }
      res.writeHead(200, {
        'Content-Type': 'application/json'
      });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}/`;
});

afterAll(async () => {
  await new Promise(resolve => server.close(resolve));
});

let contents: ContentsManager;
let guard: SaveGuard;

beforeEach(() => {
  current = new Map([
    ['notes.txt', 'loaded-1'],
    ['dir/a.txt', 'a-1']
  ]);
  saved = [];
  contents = new ContentsManager({
    serverSettings: ServerConnection.makeSettings({ baseUrl })
  });
  guard = new SaveGuard(contents);
});

afterEach(() => {
  guard.dispose();
  contents.dispose();
});

/** What JupyterLab's document context does: load, then check and save. */
const open = (path: string) =>
  contents.get(path, {
    type: 'file',
    content: true,
    hash: true,
    format: 'text'
  });
const check = (path: string) =>
  contents.get(path, { content: false, hash: true });
const save = (path: string, extra: Record<string, unknown> = {}) =>
  contents.save(path, {
    type: 'file',
    format: 'text',
    content: 'new',
    ...extra
  });

describe('SaveGuard', () => {
  it('sends the hash of the version the document loaded, then of the one it saved', async () => {
    await open('notes.txt');
    await check('notes.txt');
    await save('notes.txt');
    await check('notes.txt');
    await save('notes.txt');
    expect(saved.map(s => [s.body.hash, s.body.hash_algorithm])).toEqual([
      ['loaded-1', 'cs3-sha1'],
      ['saved-1', 'cs3-sha1']
    ]);
    expect(saved[0].body.content).toBe('new');
  });

  it('keeps the loaded version when a check finds a newer one (reads never move it)', async () => {
    await open('notes.txt');
    current.set('notes.txt', 'colleague-2');
    // A look at the file list or a stat: it does not make the change "seen".
    await contents.get('notes.txt', { content: false });
    expect(guard.versionOf('notes.txt')?.hash).toBe('loaded-1');
  });

  it('names the version the File Changed dialog was about when the user overwrites', async () => {
    await open('notes.txt');
    current.set('notes.txt', 'colleague-2');
    // JupyterLab's check disagrees, it asks, and the user chooses Overwrite: a save follows.
    await check('notes.txt');
    await save('notes.txt');
    expect(saved[0].body.hash).toBe('colleague-2');
  });

  it('names no version for a file never opened, an upload, or other drives', async () => {
    await check('notes.txt');
    await save('notes.txt');
    await open('notes.txt');
    await save('notes.txt', { name: 'notes.txt', chunk: undefined });
    expect(saved.map(s => s.body.hash)).toEqual([undefined, undefined]);
    expect(guard.versionOf('Other:notes.txt')).toBeUndefined();
  });

  it('follows a renamed folder and forgets a deleted file', async () => {
    await open('dir/a.txt');
    await contents.rename('dir', 'moved');
    expect(guard.versionOf('moved/a.txt')?.hash).toBe('a-1');
    expect(guard.versionOf('dir/a.txt')).toBeUndefined();
    await contents.delete('moved/a.txt');
    expect(guard.versionOf('moved/a.txt')).toBeUndefined();
  });

  it('puts the contents manager back when disposed', async () => {
    guard.dispose();
    await open('notes.txt');
    await save('notes.txt');
    expect(saved[0].body.hash).toBeUndefined();
  });
});
