"""Pure parts of the WebDAV client: path safety, encoding, and reading PROPFIND answers.

The XML documents here are written in the shapes docs/protocols.md §1.3-§1.5 records for Nextcloud,
ownCloud 10 and Reva, so the parser is checked against every variant a real site sends,
including those the local mesh does not produce.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from jupyter_client.jsonutil import json_default

from cs3_jupyter.dav import paths
from cs3_jupyter.dav.errors import BadPath, ProtocolError
from cs3_jupyter.dav.props import Entry, parse_http_date, parse_multistatus, quote_etag


@pytest.mark.parametrize(
    ("given", "expected"),
    [("", ""), ("/", ""), ("a//b/./c/", "a/b/c"), ("/x y/ü", "x y/ü"), ("a\\b", "a/b")],
)
def test_normalize_gives_one_canonical_form(given, expected):
    assert paths.normalize(given) == expected


@pytest.mark.parametrize("bad", ["..", "../x", "a/../../x", "a/..", "a\\..\\b", "nul\x00byte"])
def test_normalize_refuses_anything_that_could_climb_out(bad):
    with pytest.raises(BadPath):
        paths.normalize(bad)


def test_encode_escapes_every_reserved_character_per_segment():
    assert paths.encode("a b/#?%+;&=ü") == "a%20b/%23%3F%25%2B%3B%26%3D%C3%BC"


def test_href_path_accepts_paths_and_full_urls():
    assert paths.href_path("/dav/a%20b/") == "/dav/a b/"
    assert paths.href_path("https://host:8443/dav/%23x") == "/dav/#x"


def test_relative_to_strips_only_a_real_base():
    assert paths.relative_to("/dav/files/u/", "/dav/files/u/a/b") == "a/b"
    assert paths.relative_to("/dav/files/u", "/dav/files/u/") == ""
    assert paths.relative_to("/dav/files/u", "/dav/files/u2/x") is None


def _multistatus(*responses: str) -> bytes:
    return (
        '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" '
        'xmlns:nc="http://nextcloud.org/ns">' + "".join(responses) + "</d:multistatus>"
    ).encode()


def _response(href: str, ok: str, missing: str = "") -> str:
    body = f"<d:response><d:href>{href}</d:href><d:propstat><d:prop>{ok}</d:prop>"
    body += "<d:status>HTTP/1.1 200 OK</d:status></d:propstat>"
    if missing:
        body += f"<d:propstat><d:prop>{missing}</d:prop>"
        body += "<d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>"
    return body + "</d:response>"


def test_nextcloud_listing_with_split_propstats():
    entries = parse_multistatus(
        _multistatus(
            _response(
                "/remote.php/dav/files/alice/Notebooks/",
                '<d:resourcetype><d:collection/></d:resourcetype><d:getetag>"e1"</d:getetag>'
                "<d:getlastmodified>Mon, 25 Mar 2024 09:30:00 GMT</d:getlastmodified>"
                "<oc:fileid>812</oc:fileid><oc:permissions>RGDNVCK</oc:permissions>"
                "<oc:size>20480</oc:size>",
                "<d:getcontentlength/><oc:checksums/>",
            ),
            _response(
                "/remote.php/dav/files/alice/Notebooks/run%201.ipynb",
                "<d:resourcetype/><d:getcontentlength>42</d:getcontentlength>"
                "<oc:permissions>SRGDNVW</oc:permissions>"
                "<oc:checksums><oc:checksum>SHA1:AB12</oc:checksum>"
                "<oc:checksum>MD5:cd34</oc:checksum></oc:checksums>",
            ),
        )
    )
    folder, notebook = entries
    assert folder.is_dir and folder.size == 20480 and folder.fileid == "812"
    assert folder.last_modified == datetime(2024, 3, 25, 9, 30, tzinfo=timezone.utc)
    assert folder.writable
    assert notebook.href_path == "/remote.php/dav/files/alice/Notebooks/run 1.ipynb"
    assert not notebook.is_dir and notebook.size == 42 and notebook.writable
    assert notebook.checksums == {"SHA1": "ab12", "MD5": "cd34"}


def test_owncloud_and_reva_checksums_in_one_element():
    (entry,) = parse_multistatus(
        _multistatus(
            _response(
                "/remote.php/dav/files/u/f",
                "<d:resourcetype/><oc:checksums><oc:checksum>SHA1:aa MD5:bb ADLER32:cc"
                "</oc:checksum></oc:checksums>",
            )
        )
    )
    assert entry.checksums == {"SHA1": "aa", "MD5": "bb", "ADLER32": "cc"}


@pytest.mark.parametrize(
    ("is_dir", "permissions", "writable"),
    [
        (False, "RGDNVW", True),
        (False, "SRDNVWZO", True),  # Reva order and extra letters, no G
        (False, "SRG", False),  # read-only federated file
        (False, "RDNV", False),
        (True, "RGDNVCK", True),
        (True, "SRGD", False),  # read-only share
        (True, None, True),  # the site sends no permissions at all
        (False, None, True),
    ],
)
def test_writable_tests_letters_not_whole_strings(is_dir, permissions, writable):
    assert Entry("/x", is_dir=is_dir, permissions=permissions).writable is writable


def test_etags_are_kept_in_quoted_form():
    assert quote_etag("abc") == '"abc"'
    assert quote_etag('"abc"') == '"abc"'
    assert quote_etag('W/"abc"') == 'W/"abc"'


def test_malformed_and_hostile_xml_are_protocol_errors():
    with pytest.raises(ProtocolError):
        parse_multistatus(b"<d:multistatus xmlns:d='DAV:'><unclosed>")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<d:multistatus xmlns:d="DAV:"><d:response><d:href>&b;</d:href></d:response>'
        b"</d:multistatus>"
    )
    with pytest.raises(ProtocolError):
        parse_multistatus(bomb)
    with pytest.raises(ProtocolError):
        parse_multistatus(b"<html><body>login page</body></html>")


@pytest.mark.parametrize(
    "value",
    ["Mon, 25 Mar 2024 09:30:00 GMT", "Monday, 25-Mar-24 09:30:00 GMT", "Mon Mar 25 09:30:00 2024"],
)
def test_http_dates_in_every_allowed_form(value):
    assert parse_http_date(value) == datetime(2024, 3, 25, 9, 30, tzinfo=timezone.utc)


def test_listing_dates_serialise_exactly_as_plain_datetimes():
    """Listing dates remember their ISO form (jupyter_server serialises them on its loop):
    what reaches the browser, and every other format asked of them, must not change."""
    listing = parse_multistatus(
        b"""<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response>
        <d:href>/dav/a.txt</d:href><d:propstat><d:prop>
        <d:getlastmodified>Mon, 25 Mar 2024 09:30:07 GMT</d:getlastmodified>
        <d:creationdate>2024-03-20T08:00:00Z</d:creationdate>
        </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
        </d:multistatus>"""
    )
    entry = listing[0]
    plain = (
        datetime(2024, 3, 25, 9, 30, 7, tzinfo=timezone.utc),
        datetime(2024, 3, 20, 8, 0, tzinfo=timezone.utc),
    )
    for date, expected in zip((entry.last_modified, entry.created), plain, strict=True):
        assert isinstance(date, datetime) and date == expected
        for _ in range(2):  # the second call answers from what the first made
            assert json.dumps(date, default=json_default) == json.dumps(
                expected, default=json_default
            )
        assert str(date) == str(expected)
        assert date.isoformat(" ", "minutes") == expected.isoformat(" ", "minutes")
        assert date.isoformat(timespec="microseconds") == expected.isoformat(
            timespec="microseconds"
        )


def test_nested_properties_we_do_not_use_cannot_confuse_the_parser():
    (entry,) = parse_multistatus(
        _multistatus(
            _response(
                "/remote.php/dav/files/u/shared.txt",
                "<d:resourcetype/><oc:share-types><oc:share-type>0</oc:share-type>"
                "<oc:share-type>3</oc:share-type></oc:share-types>"
                "<d:owner><d:href>/remote.php/dav/principals/users/other/</d:href></d:owner>"
                "<oc:permissions>SRGDNVW</oc:permissions>",
            )
        )
    )
    assert entry.href_path == "/remote.php/dav/files/u/shared.txt"
    assert entry.permissions == "SRGDNVW" and not entry.is_dir


def test_an_unreadable_value_is_ignored_and_the_rest_of_the_listing_kept():
    """A site that sends garbage in one property (a federated mount proxied badly) must not
    make the whole folder unlistable: the value counts as not sent."""
    garbage = "&lt;Element '{DAV:}getlastmodified' at 0x7f&gt;"
    entries = parse_multistatus(
        _multistatus(
            _response(
                "/remote.php/dav/files/u/mount/",
                "<d:resourcetype><d:collection/></d:resourcetype>"
                f"<d:getlastmodified>{garbage}</d:getlastmodified>"
                "<oc:size>lots</oc:size><oc:permissions>SRGD</oc:permissions>",
            ),
            _response(
                "/remote.php/dav/files/u/fine.txt",
                "<d:getlastmodified>Mon, 25 Mar 2024 09:30:00 GMT</d:getlastmodified>"
                "<d:getcontentlength>3</d:getcontentlength>",
            ),
        )
    )
    mount, fine = entries
    assert mount.is_dir and mount.size is None and mount.permissions == "SRGD"
    assert mount.last_modified == datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert fine.size == 3
    assert fine.last_modified == datetime(2024, 3, 25, 9, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "hostile",
    [
        # A document type declaration without any entity: never in a multistatus.
        b'<?xml version="1.0"?><!DOCTYPE d:multistatus><d:multistatus xmlns:d="DAV:"/>',
        # An external entity (a file on the server, or a URL to fetch).
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<d:multistatus xmlns:d="DAV:"><d:response><d:href>&x;</d:href></d:response>'
        b"</d:multistatus>",
        # A parameter entity pulling in an external DTD.
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd">%p;]>'
        b'<d:multistatus xmlns:d="DAV:"/>',
    ],
)
def test_document_type_declarations_and_entities_are_refused(hostile):
    with pytest.raises(ProtocolError, match="forbidden XML constructs"):
        parse_multistatus(hostile)


def test_a_listing_parsed_as_it_arrives_is_the_listing_parsed_whole():
    body = _multistatus(
        *(
            _response(
                f"/remote.php/dav/files/u/f%20{i}.txt",
                f'<d:getetag>"e{i}"</d:getetag><d:getcontentlength>{i}</d:getcontentlength>'
                "<oc:checksums><oc:checksum>SHA1:AB</oc:checksum></oc:checksums>",
                "<oc:size/>",
            )
            for i in range(50)
        )
    )
    whole = parse_multistatus(body)
    for size in (1, 7, 64, 1000):
        blocks = [body[i : i + size] for i in range(0, len(body), size)]
        assert parse_multistatus(iter(blocks)) == whole
    assert [entry.href_path for entry in whole[:2]] == [
        "/remote.php/dav/files/u/f 0.txt",
        "/remote.php/dav/files/u/f 1.txt",
    ]
    assert whole[3].etag == '"e3"' and whole[3].size == 3 and whole[3].checksums == {"SHA1": "ab"}
