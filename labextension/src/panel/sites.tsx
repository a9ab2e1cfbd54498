import * as React from 'react';

import type { IMeshSite } from '../api';
import { Empty } from './common';
import type { IPanelContext } from './context';

/** The sites of the mesh, whether they answer, and which one is mine. */
export function SitesList(props: {
  context: IPanelContext;
  sites: IMeshSite[];
}): JSX.Element {
  const { trans } = props.context;
  if (!props.sites.length) {
    return (
      <Empty>
        {trans.__(
          'No mesh directory is configured, so only people at your own site can be found. Ask your administrator to set the ScienceMesh directory URL.'
        )}
      </Empty>
    );
  }
  return (
    <ul className="jp-ScienceMesh-list" aria-label={trans.__('Mesh sites')}>
      {props.sites.map(site => {
        const state = !site.reachable
          ? trans.__('unreachable')
          : site.ocm_version
            ? trans.__('OCM %1', site.ocm_version)
            : trans.__('no OCM');
        return (
          <li
            key={site.url}
            className="jp-ScienceMesh-row"
            data-reachable={String(site.reachable)}
            data-mine={String(site.is_mine)}
            title={
              site.checked_at
                ? trans.__(
                    '%1 (checked %2)',
                    site.error ?? site.url,
                    new Date(site.checked_at).toLocaleTimeString()
                  )
                : (site.error ?? site.url)
            }
          >
            <span
              className={`jp-ScienceMesh-dot ${site.reachable && site.ocm_version ? 'jp-mod-ok' : 'jp-mod-bad'}`}
              aria-hidden="true"
            />
            <div className="jp-ScienceMesh-rowText">
              <span className="jp-ScienceMesh-name">
                {site.name}
                {site.is_mine ? (
                  <span className="jp-ScienceMesh-badge">
                    {trans.__('your site')}
                  </span>
                ) : null}
              </span>
              <span className="jp-ScienceMesh-meta">
                {site.domain} · {state}
              </span>
              {site.error ? (
                <span className="jp-ScienceMesh-meta">{site.error}</span>
              ) : null}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
