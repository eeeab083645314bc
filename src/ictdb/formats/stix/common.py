"""What export and import of STIX 2.1 share: deterministic ids, TLP 2.0 markings and our extension."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from ictdb.model.envelope import DistributionKind

NAMESPACE = uuid.UUID("6f1b3d1e-7a52-5c1f-9b7e-2c4d0a8e91f3")
FIXED_TIME = "2024-01-01T00:00:00.000Z"

RECORD_TYPES = {
    "Person": "identity",
    "Organization": "threat-actor",
    "Membership": "relationship",
    "Association": "relationship",
    "GroupRelation": "relationship",
    "Movement": "sighting",
    "Incident": "incident",
    "Plot": "campaign",
    "Designation": "note",
    "Report": "report",
}

TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TLP_AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
TLP_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP_LEVELS = {
    TLP_RED: "red",
    TLP_AMBER_STRICT: "amber+strict",
    TLP_AMBER: "amber",
    TLP_GREEN: "green",
    TLP_CLEAR: "clear",
}
# TLP 1.0 markings predefined by STIX 2.1 itself; foreign bundles refer to them without defining them.
TLP1 = {
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "white",
}
TLP_FOR_DISTRIBUTION = {
    DistributionKind.OWNER: TLP_RED,
    DistributionKind.AGENCIES: TLP_AMBER_STRICT,
    DistributionKind.GROUP: TLP_AMBER_STRICT,
    DistributionKind.MEMBERS: TLP_AMBER,
}


def stix_id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, key)}"


def record_uuid(record_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "record:" + record_id))


def record_stix_id(kind: str, record_id: str) -> str:
    return f"{kind}--{record_uuid(record_id)}"


def agency_stix_id(code: str) -> str:
    return stix_id("identity", "agency:" + code)


NODE_IDENTITY = stix_id("identity", "ictdb-node")
EXTENSION_ID = stix_id("extension-definition", "ictdb-record-extension")


def timestamp(moment: datetime) -> str:
    """STIX timestamp (UTC, milliseconds); a naive time is taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    # the year by hand: strftime writes year 850 as "850", and STIX wants four digits
    return f"{moment.year:04d}" + moment.strftime("-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def tlp_marking(marking_id: str) -> dict[str, Any]:
    level = TLP_LEVELS[marking_id]
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_id,
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{level.upper()}",
        "extensions": {TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}},
    }


def node_identity() -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": NODE_IDENTITY,
        "created": FIXED_TIME,
        "modified": FIXED_TIME,
        "name": "ictdb",
        "identity_class": "system",
        "description": "The International Counter-Terrorism Database software, author of its STIX extension.",
    }


def extension_definition() -> dict[str, Any]:
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": EXTENSION_ID,
        "created_by_ref": NODE_IDENTITY,
        "created": FIXED_TIME,
        "modified": FIXED_TIME,
        "name": "ictdb record",
        "description": (
            "The ictdb record an object stands for: its id, version and full body, and its handling envelope "
            "(owner, distribution, handling code and note, hit policy, Admiralty grading, purpose, "
            "justification, review date). Objects derived from a record (locations, links) carry derived_from."
        ),
        "schema": "ictdb documentation, docs/formats.md, section STIX 2.1",
        "version": "1.0.0",
        "extension_types": ["property-extension"],
    }
