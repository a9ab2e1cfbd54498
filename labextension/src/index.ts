/**
 * jupyter-sciencemesh: the ScienceMesh side panel, the Share dialog and their
 * commands. Files are shown by the stock file browser (through our contents
 * manager); this extension adds sharing on top of it and never replaces it.
 *
 * `activate` only wires the parts together: the model (model.ts), the views'
 * application context (appContext.ts), the panel (panel/), the commands
 * (commands.ts), the arrival notifications (notify.ts) and, in the file
 * browser, who and where its home is (homeLabel.ts) and marks on shared items
 * (shareMarks.ts, drawn by the renderer a third plugin provides). A second
 * plugin makes every document save name the version it replaces (saveGuard.ts).
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import {
  IDefaultFileBrowser,
  IDefaultFileBrowserRenderer
} from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CS3Api, Permission } from './api';
import { createPanelContext } from './appContext';
import { addCommands } from './commands';
import { HomeLabel } from './homeLabel';
import { ListingProblem } from './listingProblem';
import { meshIcon } from './icons';
// The panel shows the model from the start, so it is needed at once.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { MeshModel } from './model';
import { announceArrivals, announceEnded } from './notify';
import { SaveGuard } from './saveGuard';
// The file browser is drawn by this renderer from its creation: needed at once.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { ShareMarkRenderer, shareMarks } from './shareMarks';
// The panel is added to the shell during activation, so it is needed at once.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { DEFAULT_OPEN, MeshPanel, OpenSections } from './panel/widget';

export { CommandIDs } from './commands';

const PLUGIN_ID = 'jupyter-sciencemesh:plugin';
const STATE_KEY = 'jupyter-sciencemesh:panel';
const PANEL_ID = 'jupyter-sciencemesh-panel';

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
    IStateDB,
    IDefaultFileBrowserRenderer
  ],
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell,
    browser: IDefaultFileBrowser,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    registry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    state: IStateDB | null,
    renderer: IDefaultFileBrowserRenderer | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyter-sciencemesh');
    const model = new MeshModel(new CS3Api(app.serviceManager.serverSettings));
    const settings: ISettings = { ...DEFAULT_SETTINGS };
    const context = createPanelContext(app, shell, browser, model, trans);

    const panel = new MeshPanel(context, DEFAULT_OPEN, open => {
      void state?.save(STATE_KEY, open);
    });
    panel.id = PANEL_ID;
    panel.title.icon = meshIcon;
    // The sidebar tab's name (its tooltip, and what assistive technology reads),
    // its label by JupyterLab's convention, and the panel as a named region.
    panel.title.caption = trans.__('ScienceMesh: shared with me, shared by me');
    panel.title.dataset = {
      ...panel.title.dataset,
      jpTabLabel: trans.__('ScienceMesh')
    };
    panel.node.setAttribute('role', 'region');
    panel.node.setAttribute('aria-label', trans.__('ScienceMesh section'));
    shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, PANEL_ID);
    void state?.fetch(STATE_KEY).then(saved => {
      if (saved) {
        panel.setOpenSections({ ...DEFAULT_OPEN, ...(saved as OpenSections) });
      }
    });
    const showPanel = () => shell.activateById(PANEL_ID);

    browser.header.addWidget(new HomeLabel(model, trans));
    browser.header.addWidget(new ListingProblem(browser.model, trans));
    if (renderer instanceof ShareMarkRenderer) {
      model.changed.connect(() =>
        renderer.setMarks(shareMarks(model.state, trans))
      );
    }

    model.arrived.connect((_, arrivals) => {
      if (settings.notifyNewShares) {
        announceArrivals(arrivals, trans, showPanel);
      }
    });
    model.ended.connect((_, shares) => {
      if (settings.notifyNewShares) {
        announceEnded(shares, trans, showPanel);
      }
    });

    addCommands(app, {
      context,
      palette,
      showPanel,
      defaultPermission: () => settings.defaultPermission,
      sources: () => ({
        contents: app.serviceManager.contents,
        selection: () => browser.selectedItems(),
        currentWidget: shell.currentWidget,
        focusBrowser: () =>
          browser.node
            .querySelector<HTMLElement>('.jp-DirListing-itemText[tabindex="0"]')
            ?.focus()
      })
    });

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

/**
 * Saves of open documents name the version they replace (saveGuard.ts), so the
 * server can refuse one that would overwrite a colleague's change.
 */
const saveGuard: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-sciencemesh:save-guard',
  description:
    'Sends, with each save of a document, the hash of the version it replaces.',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    new SaveGuard(app.serviceManager.contents);
  }
};

/**
 * The default file browser draws shared items with a mark (shareMarks.ts); the
 * main plugin feeds it what is shared.
 */
const shareMarkRenderer: JupyterFrontEndPlugin<IDefaultFileBrowserRenderer> = {
  id: 'jupyter-sciencemesh:share-marks',
  description: 'Marks shared items in the file browser.',
  autoStart: true,
  provides: IDefaultFileBrowserRenderer,
  activate: () => new ShareMarkRenderer()
};

export default [plugin, saveGuard, shareMarkRenderer];
