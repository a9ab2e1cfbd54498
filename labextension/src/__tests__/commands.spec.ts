/**
 * The commands as JupyterLab runs them: registered in a real CommandRegistry and
 * executed through it. The shell, file browser and contents service around them
 * are small recording objects (a whole JupyterLab cannot start inside Jest; the
 * browser tests in tests/ui run the same commands in a real one).
 */
import { Notification } from '@jupyterlab/apputils';
import type { Contents } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { addCommands, CommandIDs, resolveShareTarget } from '../commands';
import type { MeshModel } from '../model';
import type { IPanelContext } from '../panel/context';

function item(path: string, type: 'notebook' | 'directory'): Contents.IModel {
  return {
    path,
    name: path.split('/').pop()!,
    type,
    writable: true,
    created: '',
    last_modified: '',
    mimetype: '',
    content: null,
    format: null
  };
}

/** A main-area widget that looks like a document (it has a context with a path). */
function documentWidget(path: string): Widget {
  return Object.assign(new Widget(), { context: { path } });
}

function sources(
  options: {
    selected?: Contents.IModel[];
    current?: Widget | null;
  } = {}
) {
  const asked: string[] = [];
  return {
    asked,
    contents: {
      get: async (path: string, opts?: Contents.IFetchOptions) => {
        asked.push(`${path} content=${opts?.content}`);
        return item(path, path.endsWith('/') ? 'directory' : 'notebook');
      }
    } as unknown as Contents.IManager,
    selection: () => (options.selected ?? [])[Symbol.iterator](),
    currentWidget: options.current ?? null,
    focusBrowser: () => asked.push('focus browser')
  };
}

describe('resolveShareTarget', () => {
  it('uses an explicit path, asking only for its metadata', async () => {
    const from = sources({ current: documentWidget('open.ipynb') });
    const target = await resolveShareTarget({ path: 'papers/x.ipynb' }, from);
    expect(target).toEqual({
      path: 'papers/x.ipynb',
      name: 'x.ipynb',
      itemType: 'file'
    });
    expect(from.asked).toEqual(['papers/x.ipynb content=false']);
  });

  it('prefers the file browser selection when invoked from the file browser', async () => {
    const target = await resolveShareTarget(
      { source: 'browser' },
      sources({
        selected: [item('data', 'directory'), item('b.ipynb', 'notebook')],
        current: documentWidget('open.ipynb')
      })
    );
    expect(target).toEqual({
      path: 'data',
      name: 'data',
      itemType: 'directory',
      fromBrowser: true
    });
  });

  it('shares the open document when invoked from elsewhere (palette)', async () => {
    const target = await resolveShareTarget(
      {},
      sources({
        selected: [item('b.ipynb', 'notebook')],
        current: documentWidget('notes/open.ipynb')
      })
    );
    expect(target).toEqual({
      path: 'notes/open.ipynb',
      name: 'open.ipynb',
      itemType: 'file'
    });
  });

  it('falls back to the selection when no document is open, else to nothing', async () => {
    const picked = await resolveShareTarget(
      {},
      sources({
        selected: [item('b.ipynb', 'notebook')],
        current: new Widget()
      })
    );
    expect(picked?.path).toBe('b.ipynb');
    expect(await resolveShareTarget({}, sources())).toBeNull();
  });
});

describe('addCommands', () => {
  function setup() {
    const calls: string[] = [];
    const commands = new CommandRegistry();
    const menu: { command: string; selector: string; args?: unknown }[] = [];
    const palette: { command: string; category: string }[] = [];
    const context = {
      model: {
        refresh: async () => {
          calls.push('refresh');
        }
      } as unknown as MeshModel,
      trans: nullTranslator.load('test')
    } as IPanelContext;
    addCommands(
      {
        commands,
        contextMenu: {
          addItem: (item: (typeof menu)[number]) => menu.push(item)
        }
      } as never,
      {
        context,
        sources: () => sources(),
        showPanel: () => calls.push('show panel'),
        defaultPermission: () => 'view',
        palette: {
          addItem: (p: (typeof palette)[number]) => palette.push(p)
        } as never
      }
    );
    return { calls, commands, menu, palette };
  }

  it('registers the three commands, in the palette and the file browser menu', () => {
    const { commands, menu, palette } = setup();
    expect(commands.label(CommandIDs.share)).toBe('Share…');
    expect(commands.label(CommandIDs.openPanel)).toBe(
      'Show the ScienceMesh panel'
    );
    expect(commands.label(CommandIDs.refresh)).toBe(
      'Refresh ScienceMesh shares'
    );
    expect(palette.map(p => p.command)).toEqual([
      CommandIDs.share,
      CommandIDs.openPanel,
      CommandIDs.refresh
    ]);
    expect(menu).toEqual([
      expect.objectContaining({
        command: CommandIDs.share,
        args: { source: 'browser' },
        selector: '.jp-DirListing-item[data-isdir]'
      })
    ]);
  });

  it('refreshes through the model and shows the panel', async () => {
    const { calls, commands } = setup();
    await commands.execute(CommandIDs.refresh);
    await commands.execute(CommandIDs.openPanel);
    expect(calls).toEqual(['refresh', 'show panel']);
  });

  it('says what to select when there is nothing to share', async () => {
    const { commands } = setup();
    const before = Notification.manager.count;
    await commands.execute(CommandIDs.share);
    const [latest] = Notification.manager.notifications;
    expect(Notification.manager.count).toBe(before + 1);
    expect(latest.type).toBe('warning');
    expect(latest.message).toContain('Select a file or folder');
  });
});
