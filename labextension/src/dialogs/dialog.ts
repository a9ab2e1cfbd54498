import { Dialog } from '@jupyterlab/apputils';

/**
 * A Dialog whose body is a form with its own keyboard handling.
 *
 * The stock Dialog treats Enter in any text field as "press the default button"
 * and Escape as "close", which would close the Share dialog while the user picks
 * a recipient. Here Enter inside the body belongs to the form, and Escape first
 * closes what is open inside it: a suggestion list (an element with
 * aria-expanded="true") or an in-place question (`data-keeps-escape`).
 */
export class FormDialog<T> extends Dialog<T> {
  handleEvent(event: Event): void {
    if (event.type === 'keydown') {
      const key = (event as KeyboardEvent).key;
      const target = event.target as HTMLElement | null;
      const body = this.node.querySelector('.jp-Dialog-body');
      if (target && body?.contains(target)) {
        if (key === 'Enter') {
          return;
        }
        if (
          key === 'Escape' &&
          target.closest('[aria-expanded="true"], [data-keeps-escape]')
        ) {
          return;
        }
      }
    }
    super.handleEvent(event);
  }
}
