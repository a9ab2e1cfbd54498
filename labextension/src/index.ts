import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { CS3Api } from './api';
import { meshIcon } from './icons';

const PLUGIN_ID = 'jupyter-sciencemesh:plugin';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The ScienceMesh panel and the Share dialog.',
  autoStart: true,
  requires: [ILabShell],
  optional: [ILayoutRestorer, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyter-sciencemesh');
    const api = new CS3Api(app.serviceManager.serverSettings);

    const panel = new Widget();
    panel.id = 'jupyter-sciencemesh-panel';
    panel.addClass('jp-ScienceMeshPanel');
    panel.title.icon = meshIcon;
    panel.title.caption = trans.__('ScienceMesh');
    panel.node.textContent = trans.__('ScienceMesh sharing');
    shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, panel.id);

    api.version().then(
      v => console.debug(`jupyter-sciencemesh: server extension ${v.version}`),
      reason =>
        console.error(
          'jupyter-sciencemesh: the server extension does not answer',
          reason
        )
    );
  }
};

export default plugin;
