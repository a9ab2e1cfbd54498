/**
 * Every save of an open document tells the server which version it replaces.
 *
 * JupyterLab checks for a change on disk right before it saves (a content-less
 * `get` with `hash`), but a colleague's write can land between that check and
 * the save, and then it is overwritten without a word. So each save also carries
 * the `hash` and `hash_algorithm` of the version the editor holds, as optional
 * fields of the saved model; our contents manager refuses (409) a save whose
 * `hash` is not the file's current one (docs/architecture.md, "Files on the
 * EFSS"), and JupyterLab shows that refusal in its "File Save Error" dialog.
 * Other Jupyter servers ignore the two fields.
 *
 * The version a document holds is the one it last loaded with its content, or
 * last saved (the answer to a save carries its `hash`). One exception: when
 * JupyterLab's own check found another version and the user chose "Overwrite"
 * in its "File Changed" dialog, the save replaces the version that check found:
 * JupyterLab saves after a check that disagreed only through that dialog.
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
      const model = await get.call(contents, path, options);
      this.noteRead(path, options, model);
      return model;
    };
    contents.save = async (path, options) => {
      const sent = this.withVersion(path, options);
      const model = await save.call(contents, path, sent);
      this.noteSaved(path, sent, model);
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

  private withVersion(path: string, options: SaveOptions): SaveOptions {
    const key = this.key(path);
    if (key === null || !isDocumentSave(options)) {
      return options;
    }
    const version = this.choose(key);
    return version ? { ...options, ...version } : options;
  }

  private noteSaved(
    path: string,
    sent: SaveOptions,
    model: Contents.IModel
  ): void {
    const key = this.key(path);
    if (key === null || !isDocumentSave(sent)) {
      return;
    }
    this._checked.delete(key);
    const version = versionIn(model);
    if (version) {
      this._held.set(key, version);
    } else {
      this._held.delete(key);
    }
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
    for (const memory of [this._held, this._checked]) {
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
