/**
 * Marks in the file browser on the items I share and on the items shared with
 * me, as the EFSS's own web UI marks them, so a researcher sees at a glance
 * what others can read or change.
 *
 * JupyterLab 4's extension point for how items are drawn is the default file
 * browser's renderer (`IDefaultFileBrowserRenderer`): the stock DirListing
 * renderer draws each item, and this subclass then adds, removes or updates one
 * mark in the item's name column (after the name, where a rename's text field
 * never goes) and a `data-sciencemesh-share` attribute on the item. Nothing of
 * the file browser is copied or replaced.
 *
 * What is shared comes from the panel's model (my shares' paths, and the paths
 * where accepted received shares appear), so the marks cost no request; when
 * they change, the renderer updates the items it drew (the listing is not
 * reloaded). Only the shared item itself is marked, not what is inside a
 * shared folder (as Nextcloud does). One extension can provide the renderer:
 * if another one does too, JupyterLab registers only one of them, and without
 * ours there are no marks (everything else works).
 */
import { DirListing } from '@jupyterlab/filebrowser';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IMeshState } from './model';
import { personLabel, shareTargetLabel } from './format';
import { sharedByMeIcon, sharedWithMeIcon } from './icons';

/** Shared by me, or shared with me by someone else (this wins when both). */
export type ShareKind = 'by-me' | 'with-me';

export interface IShareMark {
  kind: ShareKind;
  /** Who has access, in words: the mark's tooltip and accessible name. */
  label: string;
}

/** The marks the model's state calls for, by contents path (no leading slash). */
export function shareMarks(
  state: Pick<IMeshState, 'shares' | 'received'>,
  trans: TranslationBundle
): Map<string, IShareMark> {
  const targets = new Map<string, string[]>();
  for (const share of state.shares) {
    const path = normalize(share.path);
    targets.set(path, [
      ...(targets.get(path) ?? []),
      shareTargetLabel(share, trans)
    ]);
  }
  const marks = new Map<string, IShareMark>();
  for (const [path, whom] of targets) {
    marks.set(path, {
      kind: 'by-me',
      label: trans.__('Shared by you with %1', whom.join(', '))
    });
  }
  for (const share of state.received) {
    if (share.state !== 'accepted' || !share.path) {
      continue;
    }
    const path = normalize(share.path);
    const owner = trans.__('Shared with you by %1', personLabel(share.owner));
    const mine = marks.get(path);
    marks.set(path, {
      kind: 'with-me',
      label: mine ? `${owner}. ${mine.label}` : owner
    });
  }
  return marks;
}

/** The default file browser's renderer, with the marks. */
export class ShareMarkRenderer extends DirListing.Renderer {
  /** Replace the marks; the items on screen show the new ones at once. */
  setMarks(marks: Map<string, IShareMark>): void {
    this._marks = marks;
    for (const [node, path] of this._drawn) {
      if (node.isConnected) {
        showMark(node, marks.get(path));
      } else {
        // The listing dropped this node (it keeps one per item shown).
        this._drawn.delete(node);
      }
    }
  }

  updateItemNode(
    ...args: Parameters<DirListing.Renderer['updateItemNode']>
  ): void {
    super.updateItemNode(...args);
    const [node, model] = args;
    const path = normalize(model.path);
    this._drawn.set(node, path);
    showMark(node, this._marks.get(path));
  }

  private _marks = new Map<string, IShareMark>();
  /** The item nodes this renderer drew, with the path each shows now. */
  private _drawn = new Map<HTMLElement, string>();
}

const MARK_CLASS = 'jp-ScienceMesh-shareMark';

function showMark(node: HTMLElement, mark: IShareMark | undefined): void {
  let element = node.querySelector<HTMLElement>(`.${MARK_CLASS}`);
  if (!mark) {
    element?.remove();
    delete node.dataset.sciencemeshShare;
    return;
  }
  if (!element) {
    element = document.createElement('span');
    element.className = MARK_CLASS;
    element.setAttribute('role', 'img');
    node.querySelector('.jp-DirListing-itemName')?.appendChild(element);
  }
  if (node.dataset.sciencemeshShare !== mark.kind) {
    element.replaceChildren(
      (mark.kind === 'by-me' ? sharedByMeIcon : sharedWithMeIcon).element()
    );
    node.dataset.sciencemeshShare = mark.kind;
  }
  element.setAttribute('aria-label', mark.label);
  element.title = mark.label;
}

function normalize(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
