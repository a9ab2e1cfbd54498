/**
 * Why the file browser shows nothing, or what it showed before: an alert above
 * the listing when the server could not list a folder.
 *
 * JupyterLab's file browser tells the user only about a folder that is gone
 * (404). Any other failure to list (the EFSS refused the login, the site is
 * down or too slow) leaves an empty home, or the previous listing, or a folder
 * that does not open on double-click, without a word. The server's message
 * names the site and the cause, so it is shown as it is, with a way to try
 * again; the next listing that succeeds takes the alert away.
 *
 * The model's `refreshed` signal also fires after a refresh that failed, so
 * while the alert is up each one is checked with a look at the folder (no
 * content): one request, and only while something is wrong.
 */
import type { FileBrowserModel } from '@jupyterlab/filebrowser';
import { ServerConnection } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

export class ListingProblem extends Widget {
  constructor(
    private readonly model: FileBrowserModel,
    private readonly trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-ScienceMesh-error');
    this.addClass('jp-ScienceMesh-listingProblem');
    this.node.setAttribute('role', 'alert');
    this._text = document.createElement('span');
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'jp-ScienceMesh-button jp-mod-plain';
    retry.textContent = trans.__('Try again');
    retry.addEventListener('click', () => void model.refresh());
    this.node.append(this._text, ' ', retry);
    this.hide();
    model.connectionFailure.connect(this.show_, this);
    model.refreshed.connect(this.hide_, this);
  }

  dispose(): void {
    this.model.connectionFailure.disconnect(this.show_, this);
    this.model.refreshed.disconnect(this.hide_, this);
    super.dispose();
  }

  private show_(_: FileBrowserModel, error: Error): void {
    if (
      error instanceof ServerConnection.ResponseError &&
      error.response.status === 404
    ) {
      return; // JupyterLab says so itself, and goes back to the home folder.
    }
    const reason =
      error instanceof ServerConnection.NetworkError
        ? this.trans.__('the Jupyter server does not answer.')
        : error.message;
    this._text.textContent = this.trans.__(
      'The file browser could not list your files: %1',
      reason
    );
    this.show();
  }

  private hide_(): void {
    if (this.isHidden || this._checking) {
      return;
    }
    this._checking = true;
    this.model.manager.services.contents
      .get(this.model.path, { content: false })
      .then(
        () => this.hide(),
        () => undefined // still failing: the alert stays, with the latest reason
      )
      .finally(() => (this._checking = false));
  }

  private _checking = false;
  private readonly _text: HTMLElement;
}
