"""EFSS sites on 127.0.0.1 for the demo, the tests and Binder (``cs3-localmesh serve``).

A separate distribution (jupyter-sciencemesh-localmesh): it never imports the extension's modules,
and they never import it. Map: ``mesh`` (drive a mesh from tests), ``cli``/``server``/``site``
(run sites), ``db``/``users``/``files``/``trash``/``uploads`` (state), ``dav*`` (WebDAV through
wsgidav), ``faults``/``admin`` (test switches); the sharing side (OCS, OCM, ScienceMesh,
directory) plugs in through ``plugins`` - see docs/architecture.md.
"""
