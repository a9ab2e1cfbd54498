import { ReactWidget, UseSignal, refreshIcon } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import * as React from 'react';

import type { IMeshState, Part } from '../model';
import { personLabel } from '../format';
import { ErrorLine, RowButton, Section } from './common';
import { ContactsList } from './contacts';
import type { IPanelContext } from './context';
import { ReceivedList } from './received';
import { SharedList } from './shared';
import { SitesList } from './sites';

/** The panel's sections, in display order. */
export const SECTIONS = ['received', 'shared', 'sites', 'contacts'] as const;
export type SectionId = (typeof SECTIONS)[number];
export type OpenSections = Record<SectionId, boolean>;

export const DEFAULT_OPEN: OpenSections = {
  received: true,
  shared: true,
  sites: false,
  contacts: false
};

/**
 * The ScienceMesh side panel. It renders the model's state and re-renders on
 * every change; which sections are open is reported through `onSectionsChange`
 * so the plugin can remember it across reloads.
 */
export class MeshPanel extends ReactWidget {
  constructor(
    private readonly context: IPanelContext,
    private openSections: OpenSections,
    private readonly onSectionsChange: (open: OpenSections) => void
  ) {
    super();
    this.addClass('jp-ScienceMeshPanel');
  }

  /** Apply a remembered open/closed state (it may arrive after the first render). */
  setOpenSections(open: OpenSections): void {
    this.openSections = open;
    this.update();
    this.reportSites();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.reportSites();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.reportSites();
  }

  /**
   * The mesh sites' status is loaded only while it is on screen: the panel shown
   * with the sites section, or the contacts section (its invitation form lists
   * the sites), open.
   */
  private reportSites(): void {
    const { sites, contacts } = this.openSections;
    this.context.model.showSites(this.isVisible && (sites || contacts));
  }

  protected render(): JSX.Element {
    const { model } = this.context;
    return (
      <UseSignal signal={model.changed} initialSender={model}>
        {() => this.renderState(model.state)}
      </UseSignal>
    );
  }

  private toggle = (id: string, open: boolean): void => {
    if (this.openSections[id as SectionId] === open) {
      return;
    }
    this.openSections = { ...this.openSections, [id]: open };
    this.onSectionsChange(this.openSections);
    this.reportSites();
  };

  private renderState(state: IMeshState): JSX.Element {
    const { trans, model } = this.context;
    const pending = state.received.filter(s => s.state === 'pending').length;
    // whoami asks only my own site: its failure is shown once, at the top, and
    // sections that failed for the same reason do not repeat it.
    const mine = state.errors.me;
    const sectionError = (part: Part) => {
      const error = state.errors[part];
      return error && error.message !== mine?.message ? error.message : '';
    };
    return (
      <div className="jp-ScienceMesh-content" aria-busy={state.loading}>
        <div className="jp-ScienceMesh-header">
          <div className="jp-ScienceMesh-heading">
            <h2 className="jp-ScienceMesh-title">{trans.__('ScienceMesh')}</h2>
            {state.me ? (
              <span className="jp-ScienceMesh-meta" title={state.me.site.url}>
                {trans.__(
                  'You are %1',
                  personLabel({
                    id: state.me.user,
                    display_name: state.me.display_name,
                    site: state.me.site.domain ?? state.me.site.name,
                    federated_id: state.me.federated_id
                  })
                )}
              </span>
            ) : null}
          </div>
          <button
            type="button"
            className="jp-ScienceMesh-iconButton"
            title={trans.__('Refresh')}
            aria-label={trans.__('Refresh')}
            // Not `disabled`: a disabled button drops the keyboard focus to the page.
            aria-disabled={state.loading}
            onClick={() => !state.loading && void model.refresh()}
          >
            <refreshIcon.react tag="span" />
          </button>
        </div>
        {mine ? (
          <div className="jp-ScienceMesh-error" role="alert">
            {mine.message}{' '}
            <RowButton
              label={trans.__('Try again')}
              onClick={() => void model.refresh()}
            />
          </div>
        ) : null}
        {state.configured === false ? (
          <p className="jp-ScienceMesh-empty">
            {trans.__(
              'This Jupyter server is not connected to an EFSS site (Nextcloud, ownCloud, oCIS, CERNBox), so there is nothing to share yet. Ask your administrator to configure CS3Site.url and CS3Site.user.'
            )}
          </p>
        ) : (
          <>
            <Section
              id="received"
              title={trans.__('Shared with me')}
              count={pending}
              open={this.openSections.received}
              onToggle={this.toggle}
            >
              <ErrorLine message={sectionError('received')} />
              {state.loaded.has('received') ? (
                <ReceivedList
                  context={this.context}
                  received={state.received}
                />
              ) : null}
            </Section>
            <Section
              id="shared"
              title={trans.__('Shared by me')}
              open={this.openSections.shared}
              onToggle={this.toggle}
            >
              <ErrorLine message={sectionError('shares')} />
              {state.loaded.has('shares') ? (
                <SharedList context={this.context} shares={state.shares} />
              ) : null}
            </Section>
            <Section
              id="sites"
              title={trans.__('Mesh sites')}
              open={this.openSections.sites}
              onToggle={this.toggle}
            >
              <ErrorLine message={sectionError('sites')} />
              {state.loaded.has('sites') ? (
                <SitesList context={this.context} sites={state.sites} />
              ) : null}
            </Section>
            <Section
              id="contacts"
              title={trans.__('Contacts')}
              open={this.openSections.contacts}
              onToggle={this.toggle}
            >
              <ErrorLine message={sectionError('contacts')} />
              {state.loaded.has('contacts') ? (
                <ContactsList
                  context={this.context}
                  contacts={state.contacts}
                  sites={state.sites}
                />
              ) : null}
            </Section>
          </>
        )}
      </div>
    );
  }
}
