/**
 * The save guard with JupyterLab's real ContentsManager and document Context,
 * over real HTTP. The peer is a small Node server on 127.0.0.1 that answers the
 * Jupyter contents API the way our server does (a `hash` on reads that ask for
 * it and on every save; a save naming a `hash` that is not the file's current
 * one is refused with 409) and records each save's body: a Jupyter server cannot
 * run inside Jest; the browser tests in tests/ui run the same plugin against
 * the real one. The peer has no kernels and no sessions (empty lists): the text
 * documents here need none.
 */
import { Dialog } from '@jupyterlab/apputils';
import { Context, TextModelFactory } from '@jupyterlab/docregistry';
import {
  ContentsManager,
  KernelManager,
  KernelSpecManager,
  ServerConnection,
  ServiceManager,
  SessionManager
} from '@jupyterlab/services';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';

import { SaveGuard } from '../saveGuard';

let server: Server;
let baseUrl: string;
/** What the server says each file's hash is now. */
let current: Map<string, string>;
/** Bodies of the PUTs the server received, by path. */
let saved: { path: string; body: Record<string, unknown> }[];
/** Saves the server refused (409), by path. */
let refused: string[];
/** Run once right after the server answered the next accepted save. */
let afterNextSave: (() => void) | null;
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
      let status = 200;
      if (req.method === 'DELETE') {
        res.writeHead(204);
        res.end();
        return;
      }
      if (url.pathname.match(/^\/api\/(sessions|kernels)$/)) {
        answer = [];
      } else if (url.pathname === '/api/kernelspecs') {
        answer = { default: '', kernelspecs: {} };
      } else if (path.endsWith('/checkpoints')) {
        answer = [];
        if (req.method === 'POST') {
          status = 201;
          answer = { id: 'c1', last_modified: '2030-01-01T00:00:00Z' };
        }
      } else if (req.method === 'PATCH') {
        answer = { ...model(JSON.parse(body).path, false), type: 'directory' };
      } else if (req.method === 'PUT') {
        const sent = JSON.parse(body);
        if (sent.hash !== undefined && sent.hash !== current.get(path)) {
          refused.push(path);
          status = 409;
          answer = { message: 'changed on the server' };
        } else {
          saved.push({ path, body: sent });
          current.set(path, `saved-${++counter}`);
          answer = model(path, true);
          // The answer names this save's version; a write that follows it
          // lands before any later request can reach the server.
          afterNextSave?.();
          afterNextSave = null;
        }
      } else {
        answer = model(
          path,
          url.searchParams.get('hash') === '1',
          url.searchParams.get('content') === '1' ? 'abc' : null
        );
      }
      res.writeHead(status, {
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
  counter = 0;
  refused = [];
  afterNextSave = null;
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

  it("reports the saved version to the fetch after a save, so a colleague's write right after it is refused", async () => {
    await open('notes.txt');
    await check('notes.txt');
    afterNextSave = () => current.set('notes.txt', 'colleague-2');
    // JupyterLab's sequence: the save, then at once a fetch without content
    // whose hash it adopts as the version it holds. Its next check then finds
    // the colleague's version, which differs: it asks (the dialog tests below).
    const answer = await save('notes.txt');
    const fetched = await check('notes.txt');
    expect([answer.hash, fetched.hash]).toEqual(['saved-1', 'saved-1']);
    // A save sent without a new check names the version this client wrote.
    await expect(save('notes.txt')).rejects.toThrow('changed on the server');
    expect(saved.map(s => s.body.hash)).toEqual(['loaded-1']);
    expect(refused).toEqual(['notes.txt']);
    expect(current.get('notes.txt')).toBe('colleague-2');
  });

  it('reports the saved version to a post-save fetch only, not to later checks', async () => {
    await open('notes.txt');
    await save('notes.txt');
    // No fetch followed (the save after "Overwrite" has none): the next turn
    // of the event loop ends the mark, and a later check sees the change.
    await new Promise(resolve => setTimeout(resolve, 0));
    current.set('notes.txt', 'colleague-2');
    expect((await check('notes.txt')).hash).toBe('colleague-2');
    // A fetch with content is never rewritten either.
    await save('notes.txt');
    current.set('notes.txt', 'colleague-3');
    expect((await open('notes.txt')).hash).toBe('colleague-3');
  });

  it('a refused save keeps the version held and marks nothing', async () => {
    await open('notes.txt');
    current.set('notes.txt', 'colleague-2');
    await expect(save('notes.txt')).rejects.toThrow('changed on the server');
    expect(guard.versionOf('notes.txt')?.hash).toBe('loaded-1');
    // The check that follows sees the file as it is.
    expect((await check('notes.txt')).hash).toBe('colleague-2');
    expect(refused).toEqual(['notes.txt']);
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

describe("SaveGuard with JupyterLab's document context", () => {
  let kernels: KernelManager;
  let sessions: SessionManager;
  let kernelspecs: KernelSpecManager;
  let context: Context;
  let manager: ServiceManager.IManager;
  const others: Context[] = [];

  /** Another document on the same path, in the same JupyterLab. */
  async function secondDocument(): Promise<Context> {
    const other = new Context({
      manager,
      factory: new TextModelFactory(),
      path: 'notes.txt'
    });
    others.push(other);
    await other.initialize(false);
    return other;
  }

  beforeEach(async () => {
    const serverSettings = contents.serverSettings;
    kernels = new KernelManager({ serverSettings });
    sessions = new SessionManager({ kernelManager: kernels, serverSettings });
    kernelspecs = new KernelSpecManager({ serverSettings });
    // The parts of a ServiceManager a document context uses.
    manager = {
      contents,
      kernels,
      sessions,
      kernelspecs,
      ready: Promise.resolve()
    } as unknown as ServiceManager.IManager;
    context = new Context({
      manager,
      factory: new TextModelFactory(),
      path: 'notes.txt'
    });
    await context.initialize(false);
  });

  afterEach(() => {
    others.splice(0).forEach(other => other.dispose());
    context.dispose();
    sessions.dispose();
    kernels.dispose();
    kernelspecs.dispose();
    Dialog.flush();
  });

  const edit = (text: string) => context.model.sharedModel.setSource(text);

  /** The dialog JupyterLab shows, once it is there. */
  async function dialog(): Promise<HTMLElement> {
    for (let i = 0; i < 200; i++) {
      const found = document.querySelector<HTMLElement>('.jp-Dialog');
      if (found) {
        return found;
      }
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    throw new Error('no dialog');
  }

  function click(within: HTMLElement, label: string): void {
    const button = Array.from(within.querySelectorAll('button')).find(
      node => node.textContent === label
    );
    if (!button) {
      throw new Error(`no ${label} button`);
    }
    button.click();
  }

  it("shows the File Changed dialog when a colleague's save lands right after its save", async () => {
    edit('mine');
    afterNextSave = () => current.set('notes.txt', 'colleague-2');
    await context.save();
    // JupyterLab holds the version it wrote, not the colleague's.
    expect(context.contentsModel?.hash).toBe('saved-1');

    edit('mine, more');
    const saving = context.save();
    const changed = await dialog();
    expect(changed.textContent).toContain('has changed on disk');
    expect(saved).toHaveLength(1);
    expect(current.get('notes.txt')).toBe('colleague-2');

    // "Overwrite" still works: it names the version the dialog was about.
    click(changed, 'Overwrite');
    await saving;
    expect(saved.map(s => s.body.hash)).toEqual(['loaded-1', 'colleague-2']);
    expect(saved[1].body.content).toBe('mine, more');
    expect(context.contentsModel?.hash).toBe('saved-2');
  });

  it('after Overwrite, the next change elsewhere is shown again', async () => {
    current.set('notes.txt', 'colleague-2');
    edit('mine');
    const saving = context.save();
    click(await dialog(), 'Overwrite');
    await saving;
    // No fetch follows an overwrite: nothing may be left to hide the next change.
    await new Promise(resolve => setTimeout(resolve, 0));
    current.set('notes.txt', 'colleague-3');
    edit('mine again');
    const again = context.save();
    const changed = await dialog();
    expect(changed.textContent).toContain('has changed on disk');
    click(changed, 'Cancel');
    await expect(again).rejects.toThrow('Cancel');
    expect(saved.map(s => s.body.hash)).toEqual(['colleague-2']);
    expect(current.get('notes.txt')).toBe('colleague-3');
  });

  it('saves without a dialog when nobody else wrote', async () => {
    for (const text of ['one', 'two', 'three']) {
      edit(text);
      await context.save();
    }
    expect(saved.map(s => s.body.hash)).toEqual([
      'loaded-1',
      'saved-1',
      'saved-2'
    ]);
    expect(document.querySelector('.jp-Dialog')).toBeNull();
  });

  it("two documents on one path: each is asked about the other's save and a write right after it", async () => {
    const other = await secondDocument();
    edit('from the first');
    afterNextSave = () => current.set('notes.txt', 'colleague-2');
    await context.save();
    other.model.sharedModel.setSource('from the second');
    const saving = other.save();
    const changed = await dialog();
    expect(changed.textContent).toContain('has changed on disk');
    click(changed, 'Overwrite');
    await saving;
    // The dialog was about the colleague's version: that is what it replaced.
    expect(saved.map(s => s.body.hash)).toEqual(['loaded-1', 'colleague-2']);
    // The first document is asked in turn about the second one's save.
    edit('from the first, again');
    const again = context.save();
    click(await dialog(), 'Cancel');
    await expect(again).rejects.toThrow('Cancel');
    expect(saved).toHaveLength(2);
  });
});
