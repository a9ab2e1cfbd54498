import { Dialog } from '@jupyterlab/apputils';

/**
 * A Dialog whose body is a form with its own keyboard handling.
 *
 * The stock Dialog treats Enter in any text field as "press the default button"
 * and Escape as "close", which would close the Share dialog while the user picks
 * a recipient. Here Enter inside the body belongs to the form, Tab cycles through
 * every control (the header's close button too), and Escape first
 * closes what is open inside it: a suggestion list (an element with
 * aria-expanded="true") or an in-place question (`data-keeps-escape`).
 */
export class FormDialog<T> extends Dialog<T> {
  handleEvent(event: Event): void {
    if (event.type === 'keydown') {
      const key = (event as KeyboardEvent).key;
      if (key === 'Tab' && this.cycleFocus(event as KeyboardEvent)) {
        return;
      }
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

  /**
   * Tab from the last control goes to the first (the header's close button) and
   * Shift+Tab from the first to the last: every control of the dialog is
   * reachable, where the stock dialog cycles between its footer buttons only.
   * Returns whether it moved the focus.
   */
  private cycleFocus(event: KeyboardEvent): boolean {
    const controls = Array.from(
      this.node.querySelectorAll<HTMLElement>(FOCUSABLE)
    ).filter(el => el.getClientRects().length > 0);
    if (!controls.length) {
      return false;
    }
    const first = controls[0];
    const last = controls[controls.length - 1];
    const target = event.shiftKey ? last : first;
    const edge = event.shiftKey ? first : last;
    if (document.activeElement !== edge) {
      return false;
    }
    event.preventDefault();
    event.stopPropagation();
    target.focus();
    return true;
  }
}

const FOCUSABLE = [
  'button:not(:disabled)',
  'input:not(:disabled)',
  'select:not(:disabled)',
  'textarea:not(:disabled)',
  'summary',
  '[href]',
  '[tabindex]:not([tabindex="-1"])'
].join(', ');
