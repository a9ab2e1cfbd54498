"""A checkpoint is a convenience: when the site cannot keep one, the file still opens.

JupyterLab lists a file's checkpoints as it opens it and creates one when there is none; it
takes any failure there but a 403 for a failed open ("File Load Error") and never starts the
notebook's kernel. So the listing answers empty and the creation answers 403 with the reason,
and the user edits and saves as usual. The site's versions area fails for real here (a 500
from the mesh site for every request under it).
"""

from __future__ import annotations

TEXT = {"type": "file", "format": "text"}


async def test_a_checkpoint_the_site_cannot_keep_does_not_stop_the_file_opening(api, mesh, user):
    await api.text("doc.txt", "v1")
    mesh.set_fault("a", "status", code=500, prefix=f"/remote.php/dav/versions/{user.user}/")
    try:
        assert (await api.get("doc.txt"))["content"] == "v1"
        assert await api.get("doc.txt/checkpoints") == []
        code, message = await api.error("POST", "doc.txt/checkpoints")
        assert code == 403  # the one refusal JupyterLab's open carries on after
        assert "No checkpoint of 'doc.txt' could be made" in message
        assert "can still be edited and saved" in message
        await api.save("doc.txt", {**TEXT, "content": "v2"})
    finally:
        mesh.clear_faults("a")
    assert (await api.get("doc.txt"))["content"] == "v2"
    # Once the site keeps versions again, checkpoints work as before.
    checkpoint = await api.ok("POST", "doc.txt/checkpoints", status=201)
    assert await api.get("doc.txt/checkpoints") == [checkpoint]
