import type { TranslationBundle } from '@jupyterlab/translation';

import type { ItemType } from '../api';
import type { MeshModel } from '../model';

/**
 * What the panel's views need from the application, passed down as one object
 * so the views stay free of JupyterLab plumbing (commands, clipboard, notifications).
 */
export interface IPanelContext {
  model: MeshModel;
  trans: TranslationBundle;
  /**
   * Run a user action: notify success with `success(result)`, and failure with the
   * server's message (to `onError` when given, for errors shown inline in a form).
   * Resolves to the result, or undefined when it failed.
   */
  run<T>(
    work: () => Promise<T>,
    success: (result: T) => string,
    onError?: (message: string) => void
  ): Promise<T | undefined>;
  /** Show a path in the file browser (select it, open its folder). */
  reveal(path: string): void;
  /**
   * Open an item: a file in its default editor (a notebook in the notebook
   * editor), a folder in the file browser.
   */
  open(path: string, itemType: ItemType): void;
  /** Copy text to the clipboard and say so. */
  copy(text: string, what: string): void;
}
