import { LabIcon } from '@jupyterlab/ui-components';

/**
 * The ScienceMesh mark: sites joined into a mesh. Drawn with `jp-icon3` so it
 * follows the light and dark themes like the stock icons.
 */
const MESH_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161" stroke="#616161">
    <line x1="5" y1="6" x2="19" y2="6" stroke-width="1.5"/>
    <line x1="5" y1="6" x2="12" y2="18" stroke-width="1.5"/>
    <line x1="19" y1="6" x2="12" y2="18" stroke-width="1.5"/>
    <circle cx="5" cy="6" r="3" stroke="none"/>
    <circle cx="19" cy="6" r="3" stroke="none"/>
    <circle cx="12" cy="18" r="3" stroke="none"/>
  </g>
</svg>`;

export const meshIcon = new LabIcon({
  name: 'jupyter-sciencemesh:mesh',
  svgstr: MESH_SVG
});

/** Three joined dots: the usual "share" sign, for what I share. */
export const sharedByMeIcon = new LabIcon({
  name: 'jupyter-sciencemesh:shared-by-me',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161" stroke="#616161">
    <line x1="17" y1="5" x2="7" y2="12" stroke-width="2"/>
    <line x1="7" y1="12" x2="17" y2="19" stroke-width="2"/>
    <circle cx="17" cy="5" r="3.2" stroke="none"/>
    <circle cx="7" cy="12" r="3.2" stroke="none"/>
    <circle cx="17" cy="19" r="3.2" stroke="none"/>
  </g>
</svg>`
});

/** A person: what someone else shared with me. */
export const sharedWithMeIcon = new LabIcon({
  name: 'jupyter-sciencemesh:shared-with-me',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <circle cx="12" cy="7.5" r="4.5"/>
    <path d="M3 21c0-4.4 4-7.5 9-7.5s9 3.1 9 7.5z"/>
  </g>
</svg>`
});
