/**
 * jupyter-sciencemesh: the ScienceMesh side panel, the Share dialog and their
 * commands. Files are shown by the stock file browser (through our contents
 * manager); this extension adds sharing on top of it and never replaces it.
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, ICommandPalette, Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import type { IDocumentWidget } from '@jupyterlab/docregistry';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CS3Api, Permission } from './api';
import type { IShareTarget } from './dialogs/share';
import { personLabel } from './format';
import { meshIcon } from './icons';
import { MeshModel } from './model';
import type { IPanelContext } from './panel/context';
// The panel is added to the shell during activation, so it is needed at once.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { DEFAULT_OPEN, MeshPanel, OpenSections } from './panel/widget';

const PLUGIN_ID = 'jupyter-sciencemesh:plugin';
const STATE_KEY = 'jupyter-sciencemesh:panel';
const PANEL_ID = 'jupyter-sciencemesh-panel';

export namespace CommandIDs {
  export const share = 'sciencemesh:share';
  export const openPanel = 'sciencemesh:open-panel';
  export const refresh = 'sciencemesh:refresh';
}

interface ISettings {
  pollInterval: number;
  notifyNewShares: boolean;
  defaultPermission: Permission;
}

const DEFAULT_SETTINGS: ISettings = {
  pollInterval: 60,
  notifyNewShares: true,
  defaultPermission: 'view'
};

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The ScienceMesh panel and the Share dialog.',
  autoStart: true,
  requires: [ILabShell, IDefaultFileBrowser],
  optional: [
    ILayoutRestorer,
    ITranslator,
    ISettingRegistry,
    ICommandPalette,
    IStateDB
  ],
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell,
    browser: IDefaultFileBrowser,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    registry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    state: IStateDB | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyter-sciencemesh');
    const model = new MeshModel(new CS3Api(app.serviceManager.serverSettings));
    const settings: ISettings = { ...DEFAULT_SETTINGS };

    const reveal = async (path: string) => {
      shell.activateById(browser.id);
      await browser.model.cd(`/${PathExt.dirname(path)}`);
      // The item may be new (just accepted), so list the folder again before selecting.
      await browser.model.refresh();
      await browser.selectItemByName(PathExt.basename(path));
    };

    const context: IPanelContext = {
      model,
      trans,
      async run(work, success, onError) {
        try {
          const result = await work();
          Notification.success(success(result), { autoClose: 4000 });
          return result;
        } catch (reason) {
          const message = (reason as Error).message;
          if (onError) {
            onError(message);
          } else {
            Notification.error(message, { autoClose: 8000 });
          }
          return undefined;
        }
      },
      reveal: path => {
        reveal(path).catch(reason =>
          Notification.error(
            trans.__('Cannot show "%1": %2', path, (reason as Error).message)
          )
        );
      },
      open: path => {
        void app.commands.execute('docmanager:open', { path });
      },
      copy: (text, what) => {
        Clipboard.copyToSystem(text);
        Notification.info(trans.__('%1 copied to the clipboard.', what), {
          autoClose: 3000
        });
      }
    };

    const panel = new MeshPanel(context, DEFAULT_OPEN, open => {
      void state?.save(STATE_KEY, open);
    });
    panel.id = PANEL_ID;
    panel.title.icon = meshIcon;
    panel.title.caption = trans.__('ScienceMesh: shared with me, shared by me');
    shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, PANEL_ID);
    void state?.fetch(STATE_KEY).then(saved => {
      if (saved) {
        panel.setOpenSections({ ...DEFAULT_OPEN, ...(saved as OpenSections) });
      }
    });

    const showPanel = () => shell.activateById(PANEL_ID);

    model.arrived.connect((_, { shares, initial }) => {
      if (!settings.notifyNewShares) {
        return;
      }
      const show = { label: trans.__('Show'), callback: showPanel };
      if (initial) {
        Notification.info(
          trans._n(
            'A share is waiting for you to accept it.',
            '%1 shares are waiting for you to accept them.',
            shares.length
          ),
          { actions: [show], autoClose: 8000 }
        );
        return;
      }
      for (const share of shares) {
        Notification.info(
          trans.__(
            '%1 shared "%2" with you.',
            personLabel(share.owner),
            share.name
          ),
          { actions: [show], autoClose: 8000 }
        );
      }
    });

    /** What "Share…" applies to: an explicit path, the selection, or the open document. */
    const shareTarget = async (
      args: Record<string, unknown>
    ): Promise<IShareTarget | null> => {
      if (typeof args.path === 'string' && args.path) {
        const item = await app.serviceManager.contents.get(args.path, {
          content: false
        });
        return {
          path: item.path,
          name: item.name,
          itemType: item.type === 'directory' ? 'directory' : 'file'
        };
      }
      const current = shell.currentWidget;
      const fromBrowser = browser.selectedItems().next();
      const useBrowser =
        args.source === 'browser' || !current || !isDocument(current);
      if (useBrowser && !fromBrowser.done) {
        const item = fromBrowser.value;
        return {
          path: item.path,
          name: item.name,
          itemType: item.type === 'directory' ? 'directory' : 'file'
        };
      }
      if (current && isDocument(current)) {
        const path = current.context.path;
        return { path, name: PathExt.basename(path), itemType: 'file' };
      }
      return null;
    };

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
        let target: IShareTarget | null;
        try {
          target = await shareTarget(args);
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
        await showShareDialog(context, target, settings.defaultPermission);
      }
    });

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Show the ScienceMesh panel'),
      describedBy: { args: { type: 'object', properties: {} } },
      execute: showPanel
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

    const applySettings = (loaded: ISettingRegistry.ISettings) => {
      Object.assign(settings, DEFAULT_SETTINGS, loaded.composite);
      model.startPolling(settings.pollInterval);
    };

    void app.restored.then(async () => {
      if (registry) {
        try {
          const loaded = await registry.load(PLUGIN_ID);
          applySettings(loaded);
          loaded.changed.connect(applySettings);
        } catch (reason) {
          console.warn('jupyter-sciencemesh: settings not loaded', reason);
          model.startPolling(settings.pollInterval);
        }
      } else {
        model.startPolling(settings.pollInterval);
      }
      await model.refresh();
    });
  }
};

function isDocument(widget: unknown): widget is IDocumentWidget {
  return (
    typeof widget === 'object' &&
    widget !== null &&
    'context' in widget &&
    typeof (widget as IDocumentWidget).context?.path === 'string'
  );
}

export default plugin;
