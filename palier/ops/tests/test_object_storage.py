"""Attachments on an S3-compatible object store (PALIER_S3_BUCKET), against a real S3 server
on loopback (moto's server mode): what one web machine stores, another serves, and no file
touches the local disk."""

from __future__ import annotations

import hashlib
import io
import urllib.request

import boto3
import pytest
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from moto.server import ThreadedMotoServer

from palier.testing.factories import make_ticket
from palier.tickets.attachments import do_attach_file

BUCKET = "palier-files"
KEYS = {"access_key": "testing", "secret_key": "testing"}


@pytest.fixture
def s3(settings, tmp_path):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-central-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    # moto keeps its state per Python process: start each test from an empty store.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-2"}
    )
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "region_name": "eu-central-2",
        **KEYS,
        "default_acl": None,
        "file_overwrite": False,
    }
    settings.MEDIA_ROOT = tmp_path / "media"  # must stay empty
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "location": "media"},
        },
        "exports": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "location": "exports"},
        },
    }
    yield client
    server.stop()


def test_an_attachment_goes_to_the_bucket_and_comes_back_to_its_reader_only(world, s3, tmp_path):
    content = b"%PDF-1.4 delivery note " * 1000
    ticket = make_ticket(world.contact_a)
    attachment = do_attach_file(
        ticket,
        SimpleUploadedFile("bon de livraison.pdf", content),
        acting_user=world.contact_a,
    )
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"media/{attachment.file.name}"]
    stored = s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()
    assert stored == content
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert not (tmp_path / "media").exists()  # nothing on this machine's disk

    owner = Client()
    owner.force_login(world.contact_a)
    response = owner.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content

    stranger = Client()
    stranger.force_login(world.contact_b)
    assert stranger.get(f"/attachments/{attachment.pk}/").status_code == 404


def test_two_files_of_one_name_keep_both_and_exports_have_their_own_prefix(world, s3):
    ticket = make_ticket(world.contact_a)
    first = do_attach_file(ticket, SimpleUploadedFile("log.txt", b"one"), acting_user=world.agent)
    second = do_attach_file(ticket, SimpleUploadedFile("log.txt", b"two"), acting_user=world.agent)
    assert first.file.name != second.file.name
    assert default_storage.open(first.file.name).read() == b"one"
    name = storages["exports"].save("invoices-2026-11.csv", io.BytesIO(b"number;total\n"))
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert f"exports/{name}" in keys
    assert storages["exports"].open(name).read() == b"number;total\n"
