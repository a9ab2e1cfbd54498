/**
 * The "Share with" field: the search hook (through the model) and the combobox,
 * driven as a user drives them, by typing and with the keyboard. The model's
 * search is a recording function here; the browser tests use the real server.
 */
import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import type { IRecipient } from '../api';
import { RecipientCombobox } from '../dialogs/combobox';
import { useRecipientSearch } from '../dialogs/recipientSearch';

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('test');

function person(
  id: string,
  source: IRecipient['source'] = 'local'
): IRecipient {
  return { type: 'user', id, label: `${id} label`, site: 'a.example', source };
}

let host: HTMLDivElement;
let root: Root;

beforeEach(() => {
  jest.useFakeTimers();
  host = document.createElement('div');
  document.body.appendChild(host);
  root = createRoot(host);
});

afterEach(() => {
  act(() => root.unmount());
  host.remove();
  jest.useRealTimers();
});

/** A model whose search answers when the test says so. */
function slowModel() {
  const asked: string[] = [];
  const answers = new Map<string, (found: IRecipient[]) => void>();
  const failures = new Map<string, (error: Error) => void>();
  return {
    asked,
    answer: (text: string, found: IRecipient[]) => answers.get(text)!(found),
    fail: (text: string, error: Error) => failures.get(text)!(error),
    searchRecipients: (text: string) => {
      asked.push(text);
      return new Promise<IRecipient[]>((resolve, reject) => {
        answers.set(text, resolve);
        failures.set(text, reject);
      });
    }
  };
}

describe('useRecipientSearch', () => {
  let seen: { suggestions: string[]; error: string };

  function Probe(props: {
    model: ReturnType<typeof slowModel>;
    query: string;
    enabled?: boolean;
  }) {
    const result = useRecipientSearch(
      props.model,
      props.query,
      props.enabled ?? true
    );
    seen = {
      suggestions: result.suggestions.map(r => r.id),
      error: result.error
    };
    return null;
  }

  function type(model: ReturnType<typeof slowModel>, query: string) {
    act(() => root.render(<Probe model={model} query={query} />));
  }

  it('asks once, after the user stops typing', () => {
    const model = slowModel();
    type(model, 'b');
    type(model, 'bo');
    type(model, 'bob');
    expect(model.asked).toEqual([]);
    act(() => jest.advanceTimersByTime(250));
    expect(model.asked).toEqual(['bob']);
  });

  it('drops an older answer that arrives after a newer query', async () => {
    const model = slowModel();
    type(model, 'al');
    act(() => jest.advanceTimersByTime(250));
    type(model, 'bob');
    act(() => jest.advanceTimersByTime(250));
    await act(async () => model.answer('bob', [person('bob')]));
    await act(async () => model.answer('al', [person('alice')]));
    expect(seen.suggestions).toEqual(['bob']);
  });

  it('reports why a search failed, and clears it on the next success', async () => {
    const model = slowModel();
    type(model, 'x@b.example');
    act(() => jest.advanceTimersByTime(250));
    await act(async () =>
      model.fail('x@b.example', new Error('Site b cannot be reached.'))
    );
    expect(seen).toEqual({
      suggestions: [],
      error: 'Site b cannot be reached.'
    });
    type(model, 'x');
    act(() => jest.advanceTimersByTime(250));
    await act(async () => model.answer('x', [person('x')]));
    expect(seen).toEqual({ suggestions: ['x'], error: '' });
  });

  it('searches nothing for blank text or once a recipient is chosen', () => {
    const model = slowModel();
    type(model, '   ');
    act(() =>
      root.render(<Probe model={model} query="bob label" enabled={false} />)
    );
    act(() => jest.advanceTimersByTime(1000));
    expect(model.asked).toEqual([]);
    expect(seen.suggestions).toEqual([]);
  });
});

describe('RecipientCombobox', () => {
  const events: string[] = [];

  function render(suggestions: IRecipient[], query = 'b') {
    act(() =>
      root.render(
        <RecipientCombobox
          id="box"
          trans={trans}
          query={query}
          suggestions={suggestions}
          onQueryChange={text => events.push(`type ${text}`)}
          onChoose={r => events.push(`choose ${r.id}`)}
          onEnter={() => events.push('enter')}
        />
      )
    );
    return host.querySelector('input')!;
  }

  function press(input: HTMLInputElement, key: string) {
    act(() => {
      input.dispatchEvent(
        new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true })
      );
    });
  }

  beforeEach(() => {
    events.length = 0;
  });

  it('opens with the best match highlighted; the arrows move and wrap', () => {
    const input = render([person('bob'), person('bea', 'contact')]);
    expect(input.getAttribute('aria-expanded')).toBe('true');
    expect(input.getAttribute('aria-activedescendant')).toBe('box-options-0');
    const options = host.querySelectorAll('[role="option"]');
    expect(options[1].textContent).toContain('contact at a.example');

    press(input, 'ArrowDown');
    expect(input.getAttribute('aria-activedescendant')).toBe('box-options-1');
    press(input, 'ArrowDown');
    expect(input.getAttribute('aria-activedescendant')).toBe('box-options-0');
    press(input, 'ArrowUp');
    expect(host.querySelector('[aria-selected="true"]')?.textContent).toContain(
      'bea label'
    );
  });

  it('picks the highlighted suggestion with Enter, then Enter submits', () => {
    const input = render([person('bob'), person('bea')]);
    press(input, 'ArrowDown');
    press(input, 'Enter');
    expect(events).toEqual(['choose bea']);
    expect(input.getAttribute('aria-expanded')).toBe('false');
    press(input, 'Enter');
    expect(events).toEqual(['choose bea', 'enter']);
  });

  it('closes the list with Escape, so Enter then submits what was typed', () => {
    const input = render([person('bob')]);
    press(input, 'Escape');
    expect(host.querySelector('[role="listbox"]')).toBeNull();
    press(input, 'Enter');
    expect(events).toEqual(['enter']);
  });

  it('offers a typed address as an address to send to, not as a person', () => {
    render([
      {
        type: 'federated',
        id: 'nobody@b.example',
        label: 'nobody@b.example (Site B)',
        site: 'b.example',
        source: 'typed',
        verified: false
      }
    ]);
    const option = host.querySelector('[role="option"]')!;
    expect(option.textContent).toBe(
      'nobody@b.exampleSend to this address at b.example'
    );
  });

  it('picks a suggestion with the mouse', () => {
    render([person('bob'), person('bea')]);
    const option = host.querySelectorAll('[role="option"]')[1];
    act(() => {
      option.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
    });
    expect(events).toEqual(['choose bea']);
  });
});
