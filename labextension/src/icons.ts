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
