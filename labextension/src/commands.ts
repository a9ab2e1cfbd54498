/**
 * The extension's commands, and where they appear (palette, file browser menu).
 *
 * Kept out of the plugin's `activate` so that each command can be read, and
 * tested, on its own: `activate` only wires the pieces together.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import type { IDocumentWidget } from '@jupyterlab/docregistry';
import type { Contents } from '@jupyterlab/services';
import type { Widget } from '@lumino/widgets';

import type { Permission } from './api';
import type { IShareTarget } from './dialogs/share';
import { meshIcon } from './icons';
import type { IPanelContext } from './panel/context';

export namespace CommandIDs {
  export const share = 'sciencemesh:share';
  export const openPanel = 'sciencemesh:open-panel';
  export const refresh = 'sciencemesh:refresh';
}

/** Where "Share…" looks for its item when no path is given. */
export interface IShareSources {
  /** Reads an item's model (type, name) for an explicit path. */
  contents: Pick<Contents.IManager, 'get'>;
  /** The file browser's selection, first item first. */
  selection(): Iterator<Contents.IModel>;
  /** The widget in the main area, if any. */
  currentWidget: Widget | null;
  /** Gives the keyboard focus back to the file browser's current item. */
  focusBrowser(): void;
}

/**
 * What "Share…" applies to: an explicit `path`, else the file browser selection
 * (first when `source` is "browser" or no document is open), else the open document.
 */
export async function resolveShareTarget(
  args: { path?: unknown; source?: unknown },
  sources: Omit<IShareSources, 'focusBrowser'>
): Promise<IShareTarget | null> {
  if (typeof args.path === 'string' && args.path) {
    return targetOf(await sources.contents.get(args.path, { content: false }));
  }
  const current = sources.currentWidget;
  const document = isDocument(current) ? current : null;
  const selected = sources.selection().next();
  if ((args.source === 'browser' || !document) && !selected.done) {
    return { ...targetOf(selected.value), fromBrowser: true };
  }
  if (document) {
    const path = document.context.path;
    return { path, name: PathExt.basename(path), itemType: 'file' };
  }
  return null;
}

export interface ICommandsOptions {
  context: IPanelContext;
  sources: () => IShareSources;
  /** Brings the ScienceMesh panel to the front. */
  showPanel: () => void;
  /** The permission the Share dialog starts with (a setting, read at each use). */
  defaultPermission: () => Permission;
  palette: ICommandPalette | null;
}

/** Register the commands, the file browser's "Share…" item and the palette entries. */
export function addCommands(
  app: Pick<JupyterFrontEnd, 'commands' | 'contextMenu'>,
  options: ICommandsOptions
): void {
  const { context, palette } = options;
  const { trans, model } = context;

  app.commands.addCommand(CommandIDs.share, {
    label: trans.__('Share…'),
    caption: trans.__(
      'Share this file or folder with colleagues at any ScienceMesh site, or by public link'
    ),
    icon: meshIcon,
    describedBy: {
      args: {
        type: 'object',
        properties: {
          path: {
            type: 'string',
            description:
              'Contents path of the item to share; default: the selection in the file browser, else the open document'
          },
          source: {
            type: 'string',
            description: '"browser" to prefer the file browser selection'
          }
        }
      }
    },
    execute: async args => {
      const sources = options.sources();
      let target: IShareTarget | null;
      try {
        target = await resolveShareTarget(args, sources);
      } catch (reason) {
        Notification.error((reason as Error).message);
        return;
      }
      if (!target) {
        Notification.warning(
          trans.__(
            'Select a file or folder in the file browser, then choose Share….'
          )
        );
        return;
      }
      const { showShareDialog } = await import('./dialogs/share');
      await showShareDialog(context, target, options.defaultPermission());
      if (target.fromBrowser) {
        // The dialog was opened from the file browser: the keyboard goes back there.
        sources.focusBrowser();
      }
    }
  });

  app.commands.addCommand(CommandIDs.openPanel, {
    label: trans.__('Show the ScienceMesh panel'),
    describedBy: { args: { type: 'object', properties: {} } },
    execute: options.showPanel
  });

  app.commands.addCommand(CommandIDs.refresh, {
    label: trans.__('Refresh ScienceMesh shares'),
    describedBy: { args: { type: 'object', properties: {} } },
    execute: () => model.refresh()
  });

  app.contextMenu.addItem({
    command: CommandIDs.share,
    args: { source: 'browser' },
    selector: '.jp-DirListing-item[data-isdir]',
    rank: 3
  });

  if (palette) {
    const category = trans.__('ScienceMesh');
    for (const command of [
      CommandIDs.share,
      CommandIDs.openPanel,
      CommandIDs.refresh
    ]) {
      palette.addItem({ command, category });
    }
  }
}

function targetOf(item: Contents.IModel): IShareTarget {
  return {
    path: item.path,
    name: item.name,
    itemType: item.type === 'directory' ? 'directory' : 'file'
  };
}

function isDocument(widget: unknown): widget is IDocumentWidget {
  return (
    typeof widget === 'object' &&
    widget !== null &&
    'context' in widget &&
    typeof (widget as IDocumentWidget).context?.path === 'string'
  );
}
