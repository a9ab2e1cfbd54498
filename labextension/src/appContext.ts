/**
 * The application side of {@link IPanelContext}: how the panel's views notify,
 * show files, open documents and copy, in a running JupyterLab.
 */
import type { ILabShell, JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import type { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { MeshModel } from './model';
import type { IPanelContext } from './panel/context';

export function createPanelContext(
  app: JupyterFrontEnd,
  shell: ILabShell,
  browser: IDefaultFileBrowser,
  model: MeshModel,
  trans: TranslationBundle
): IPanelContext {
  const reveal = async (path: string) => {
    shell.activateById(browser.id);
    await browser.model.cd(`/${PathExt.dirname(path)}`);
    // The item may be new (just accepted), so list the folder again before selecting.
    await browser.model.refresh();
    await browser.selectItemByName(PathExt.basename(path));
  };

  return {
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
    open: (path, itemType) => {
      const opening =
        itemType === 'directory'
          ? browser.model
              .cd(`/${path}`)
              .then(() => shell.activateById(browser.id))
          : app.commands.execute('docmanager:open', { path });
      opening.catch(reason =>
        Notification.error(
          trans.__('Cannot open "%1": %2', path, (reason as Error).message)
        )
      );
    },
    copy: (text, what) => {
      Clipboard.copyToSystem(text);
      Notification.info(trans.__('%1 copied to the clipboard.', what), {
        autoClose: 3000
      });
    }
  };
}
