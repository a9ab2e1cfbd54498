/**
 * Who and where the file browser's home is: "alice @ Local mesh site a", above
 * the file browser, since its "/" is the user's EFSS home and not this
 * machine's disk. The tooltip adds the display name, the federated id others
 * type to share with the user, and the site's address.
 *
 * It sits in the file browser's header (the side panel's own slot for widgets
 * on top), follows the panel's model, and is hidden while the user is unknown
 * (not loaded yet, or no site configured).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { meshIcon } from './icons';
import type { MeshModel } from './model';

export class HomeLabel extends Widget {
  constructor(
    private readonly model: MeshModel,
    private readonly trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-ScienceMesh-home');
    const icon = meshIcon.element({ tag: 'span' });
    icon.setAttribute('aria-hidden', 'true');
    this._text = document.createElement('span');
    this._text.className = 'jp-ScienceMesh-homeText';
    this.node.append(icon, this._text);
    model.changed.connect(this.display, this);
    this.display();
  }

  dispose(): void {
    this.model.changed.disconnect(this.display, this);
    super.dispose();
  }

  private display(): void {
    const me = this.model.state.me;
    this.setHidden(!me);
    if (!me) {
      return;
    }
    this._text.textContent = this.trans.__('%1 @ %2', me.user, me.site.name);
    this.node.title = this.trans.__(
      'Your files at %1 (%2), as %3 (%4)',
      me.site.name,
      me.site.url,
      me.display_name,
      me.federated_id
    );
  }

  private readonly _text: HTMLElement;
}
