"""Names that break naive URL handling survive every operation, both ways over the wire."""

from __future__ import annotations

import pytest

from cs3_jupyter.dav.errors import NotFound

ODD_NAMES = [
    "with space.txt",
    "hash#tag.txt",
    "per%cent 100%.txt",
    "what?.txt",
    "plus+sign.txt",
    "semi;colon.txt",
    "amp&eq=.txt",
    "grüße ✓.txt",
    "日本語のノート.ipynb",
    "quote's.txt",
    "%20literally.txt",
]


@pytest.mark.parametrize("name", ODD_NAMES)
async def test_odd_name_round_trip(api, dav, name):
    folder = "dir with #, % and ü"
    await api.save(folder, {"type": "directory"}, status=201)
    path = f"{folder}/{name}"
    if name.endswith(".ipynb"):
        await api.ok("POST", folder, {"type": "notebook"}, status=201)
        await api.ok("PATCH", f"{folder}/Untitled.ipynb", {"path": path})
    else:
        await api.text(path, name)
    listing = await api.get(folder)
    assert [(item["name"], item["path"]) for item in listing["content"]] == [(name, path)]
    assert dav.stat(path).name == name
    if not name.endswith(".ipynb"):
        assert (await api.get(path))["content"] == name
        assert (await api.raw("files", path)).body == name.encode()
    renamed = f"{folder}/renamed {name}"
    await api.ok("PATCH", path, {"path": renamed})
    assert [e.name for e in dav.listdir(folder)[1]] == [f"renamed {name}"]
    await api.ok("DELETE", renamed, status=204)
    with pytest.raises(NotFound):
        dav.stat(renamed)


async def test_messages_name_a_file_with_percent_signs_as_it_is_called(api, dav, mesh, user):
    """JupyterLab shows the API's message: ``50% done`` must not read ``50%% done``.

    Tornado doubles the ``%`` of an error message given without format arguments when
    jupyter_server reads it for the browser; the user would see a name no file has.
    """
    name = "per%cent 100% done.txt"
    dav.put(name, b"kept")
    mesh.set_fault("a", "status", code=503, prefix=f"/remote.php/dav/files/{user.user}/")
    try:
        opened = await api.error("GET", name)
        saved = await api.error("PUT", name, {"type": "file", "format": "text", "content": "new"})
    finally:
        mesh.clear_faults("a")
    for code, message in (opened, saved):
        assert code == 502
        assert f"'{name}'" in message and "%%" not in message, message
    assert dav.download(name)[0] == b"kept"

    # Our own refusals too: a notebook that does not parse.
    broken = "50% broken.ipynb"
    dav.put(broken, b"{not json")
    code, message = await api.error("GET", broken)
    assert code == 400
    assert f"'{broken}' is not a readable notebook" in message, message
