"""Single-user server settings for cs3_jupyter, the Python way (same traits as the JSON example).

Put this file (or its lines) in a Jupyter config folder of the single-user environment, e.g.
``/etc/jupyter/jupyter_server_config.py``. Settings here win over ``CS3_*`` environment
variables. ``jupyter cs3-config`` shows what the server picks up.
"""

import os

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (provided by Jupyter)

# The extension is enabled by the package's jupyter_server_config.d file; this line is only
# needed where that folder is not read (e.g. a server started with a custom config path).
c.ServerApp.jpserver_extensions.update({"cs3_jupyter": True})

c.CS3Site.url = "https://cloud.example.org"
# The user id on the site; JupyterHub sets JUPYTERHUB_USER for every single-user server.
c.CS3Site.user = os.environ.get("JUPYTERHUB_USER", "")
# One credential source: a token file the hub keeps fresh (or password / token).
c.CS3Site.token_file = f"/srv/jupyterhub/cs3-tokens/{c.CS3Site.user}"
c.CS3Site.mesh_directory_url = "https://mesh.example.org/providers.json"
