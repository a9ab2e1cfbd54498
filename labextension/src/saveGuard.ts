/**
 * Every save of an open document tells the server which version it replaces.
 *
 * JupyterLab checks for a change on disk right before it saves (a content-less
 * `get` with `hash`), but a colleague's write can land between that check and
 * the save, and then it is overwritten without a word. So each save also carries
 * the `hash` and `hash_algorithm` of the version the editor holds, as optional
 * fields of the saved model; our contents manager refuses (409) a save whose
 * `hash` is not the file's current one (docs/architecture.md, "The conflict
 * guard"), and JupyterLab shows that refusal in its "File Save Error" dialog.
 * Other Jupyter servers ignore the two fields.
 *
 * What a path's editor holds ("held"): the version last loaded with content, or
 * last saved (the answer to a save carries its `hash`). One exception: when
 * JupyterLab's own check found another version and the user chose "Overwrite"
 * in its "File Changed" dialog, the save replaces the version that check found.
 * Telling the two apart rests on one invariant: JupyterLab's own idea of the
 * file's hash (its document context's `contentsModel.hash`) is always a version
 * that this guard also saw loaded or saved. Then a check that disagrees with
 * "held" means the file moved on since, so it disagrees with JupyterLab's hash
 * too, and JupyterLab asked the user before saving.
 *
 * JupyterLab breaks that invariant by itself: after every successful save it
 * fetches the file again without content (also after saving a file its check
 * did not find) and adopts THAT answer's hash. A colleague's save landing
 * between our save and that fetch would become "what JupyterLab holds": no
 * dialog at its next save, and the guard would send the colleague's hash as if
 * the user had chosen Overwrite. So the answer to that fetch is rewritten: a
 * successful document save marks its path "post-save fetch pending", and the
 * next content-less `get` of that path gets the `hash`/`hash_algorithm` of the
 * version this save wrote (its other fields are left as the server sent them;
 * JupyterLab reads only those two). JupyterLab starts that fetch in the same
 * turn of the event loop in which the save's promise resolves, with no I/O in
 * between; the mark is dropped at the end of that turn (a zero-delay timer),
 * so it cannot reach a later check: the save after "Overwrite" is followed by
 * no fetch, and its mark must not hide the next change. A save that fails
 * marks nothing and keeps what was held (JupyterLab keeps its hash too).
 *
 * State is per path, not per document: one JupyterLab's documents share the
 * contents manager, and two documents on one path (a notebook open as notebook
 * and as JSON) cannot be told apart here. "Held" is then the newest version
 * any of them loaded or saved; each document's own hash is that one or an
 * older one, so the invariant above still holds for each. A rename moves what
 * is known about a path (and a folder's files) to the new path; a delete
 * forgets it; a closed document's entry stays until its path is opened,
 * renamed or deleted again (opening loads afresh and replaces it). Checkpoint
 * calls pass through untouched: restoring one is followed by JupyterLab's
 * reload, which is a load with content like any other.
 *
 * This works on the contents manager's `get` and `save`, which every document
 * context calls, for paths of the default drive (our server) only. Uploads
 * (models with a `chunk` field, as the file browser sends them) are deliberate
 * replacements the user already confirmed: they carry no version and move none.
 */
import type { Contents } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';

/** A version of a file, as the server names it. */
interface IVersion {
  hash: string;
  hash_algorithm?: string;
}

type SaveOptions = Parameters<Contents.IManager['save']>[1];

export class SaveGuard implements IDisposable {
  constructor(private readonly contents: Contents.IManager) {
    const get = contents.get;
    const save = contents.save;
    contents.get = async (path, options) => {
      // Taken when the fetch starts: its answer may arrive after the mark expired.
      const wrote = options?.content ? undefined : this.takePostSave(path);
      const model = await get.call(contents, path, options);
      if (wrote && versionIn(model)) {
        return { ...model, ...wrote };
      }
      this.noteRead(path, options, model);
      return model;
    };
    contents.save = async (path, options) => {
      const key = isDocumentSave(options) ? this.key(path) : null;
      const sent = key === null ? options : this.withVersion(key, options);
      const model = await save.call(contents, path, sent);
      if (key !== null) {
        this.noteSaved(key, model);
      }
      return model;
    };
    contents.fileChanged.connect(this.onFileChanged, this);
    this._restore = () => {
      contents.get = get;
      contents.save = save;
      contents.fileChanged.disconnect(this.onFileChanged, this);
    };
  }

  get isDisposed(): boolean {
    return this._restore === null;
  }

  /** Put the contents manager back as it was. */
  dispose(): void {
    this._restore?.();
    this._restore = null;
  }

  /** The version a save of `path` would name now (for tests and debugging). */
  versionOf(path: string): IVersion | undefined {
    const key = this.key(path);
    return key === null ? undefined : this.choose(key);
  }

  private noteRead(
    path: string,
    options: Contents.IFetchOptions | undefined,
    model: Contents.IModel
  ): void {
    const key = this.key(path);
    const version = versionIn(model);
    if (key === null || !version || model.type === 'directory') {
      return;
    }
    if (options?.content) {
      this._held.set(key, version);
      this._checked.delete(key);
    } else if (this._held.has(key)) {
      // A check without content: it never changes what the document holds.
      this._checked.set(key, version);
    }
  }

  private withVersion(key: string, options: SaveOptions): SaveOptions {
    const version = this.choose(key);
    return version ? { ...options, ...version } : options;
  }

  private noteSaved(key: string, model: Contents.IModel): void {
    this._checked.delete(key);
    const version = versionIn(model);
    if (!version) {
      this._held.delete(key);
      return;
    }
    this._held.set(key, version);
    // JupyterLab's fetch after this save starts before the next turn of the
    // event loop: the mark lasts until then (see the module's docstring).
    this._postSave.set(key, version);
    setTimeout(() => {
      if (this._postSave.get(key) === version) {
        this._postSave.delete(key);
      }
    }, 0);
  }

  /** The version a save just wrote, if a post-save fetch of `path` is pending. */
  private takePostSave(path: string): IVersion | undefined {
    const key = this.key(path);
    const version = key === null ? undefined : this._postSave.get(key);
    if (key !== null) {
      this._postSave.delete(key);
    }
    return version;
  }

  private choose(key: string): IVersion | undefined {
    const held = this._held.get(key);
    const checked = this._checked.get(key);
    return checked && held && checked.hash !== held.hash ? checked : held;
  }

  private onFileChanged(
    _: Contents.IManager,
    change: Contents.IChangedArgs
  ): void {
    const oldKey = change.oldValue?.path
      ? this.key(change.oldValue.path)
      : null;
    if (
      oldKey === null ||
      (change.type !== 'rename' && change.type !== 'delete')
    ) {
      return;
    }
    const newKey =
      change.type === 'rename' && change.newValue?.path
        ? this.key(change.newValue.path)
        : null;
    for (const memory of [this._held, this._checked, this._postSave]) {
      for (const [key, version] of [...memory]) {
        if (key === oldKey || key.startsWith(`${oldKey}/`)) {
          memory.delete(key);
          if (newKey !== null) {
            memory.set(newKey + key.slice(oldKey.length), version);
          }
        }
      }
    }
  }

  /** The path as a key, or null for paths of other drives (not our server). */
  private key(path: string): string | null {
    if (this.contents.driveName(path) !== '') {
      return null;
    }
    return this.contents.normalize(path).replace(/^\/+/, '');
  }

  private _held = new Map<string, IVersion>();
  private _checked = new Map<string, IVersion>();
  /** Paths whose save just resolved, with the version it wrote. */
  private _postSave = new Map<string, IVersion>();
  private _restore: (() => void) | null;
}

function versionIn(model: Contents.IModel): IVersion | null {
  if (typeof model.hash !== 'string' || !model.hash) {
    return null;
  }
  return model.hash_algorithm
    ? { hash: model.hash, hash_algorithm: model.hash_algorithm }
    : { hash: model.hash };
}

/** A document's save: content, no upload chunk, no version named by the caller. */
function isDocumentSave(options: SaveOptions): boolean {
  return (
    options !== undefined &&
    options.content !== undefined &&
    !('chunk' in options) &&
    options.hash === undefined
  );
}
