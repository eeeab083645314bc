"""Closed vocabularies of the domain: roles, handling codes, record kinds and the GTD categories."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    NODE_ADMIN = "node-admin"


class HandlingCode(StrEnum):
    """Europol-style handling codes: what a recipient may do with a record."""

    H0 = "H0"  # prevention and combating of terrorism and serious crime only
    H1 = "H1"  # not in judicial proceedings without the owner's consent
    H2 = "H2"  # no onward dissemination without consent
    H3 = "H3"  # other restrictions, stated in text


class HitPolicy(StrEnum):
    """What an agency that may NOT see a record learns when its search matches it."""

    SILENT = "silent"
    NOTIFY_OWNER = "notify-owner"
    HIT_NO_HIT = "hit-no-hit"


class Purpose(StrEnum):
    PREVENTION = "prevention-of-terrorism"
    INVESTIGATION = "investigation"
    BORDER_SECURITY = "border-security"
    SANCTIONS = "sanctions-enforcement"
    THREAT_ANALYSIS = "threat-analysis"
    IDENTIFICATION = "identification"


class Schema(StrEnum):
    """The record types; values are the names used in files and the API."""

    PERSON = "Person"
    ORGANIZATION = "Organization"
    MEMBERSHIP = "Membership"
    ASSOCIATION = "Association"
    GROUP_RELATION = "GroupRelation"
    MOVEMENT = "Movement"
    INCIDENT = "Incident"
    PLOT = "Plot"
    DESIGNATION = "Designation"
    REPORT = "Report"


class NameKind(StrEnum):
    PRIMARY = "primary"
    ALIAS = "alias"
    WEAK_ALIAS = "weak-alias"
    FORMER = "former"
    ORIGINAL_SCRIPT = "original-script"


class Script(StrEnum):
    LATIN = "Latn"
    ARABIC = "Arab"
    CYRILLIC = "Cyrl"
    OTHER = "Zyyy"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class PersonStatus(StrEnum):
    SUSPECT = "suspect"
    FTF = "ftf"
    DESIGNATED = "designated"
    DECEASED = "deceased"
    DETAINED = "detained"


class OrganizationType(StrEnum):
    TERRORIST_GROUP = "terrorist-group"
    FRONT = "front"
    FINANCIER = "financier"
    AFFILIATE = "affiliate"
    OTHER = "other"


class OrganizationStatus(StrEnum):
    ACTIVE = "active"
    DISSOLVED = "dissolved"
    MERGED = "merged"
    DESIGNATED = "designated"
    UNKNOWN = "unknown"


class MembershipRole(StrEnum):
    LEADER = "leader"
    COMMANDER = "commander"
    MEMBER = "member"
    FINANCIER = "financier"
    RECRUITER = "recruiter"
    FACILITATOR = "facilitator"


class AssociationKind(StrEnum):
    FAMILY = "family"
    ASSOCIATE = "associate"
    COURIER = "courier"
    FINANCIER_OF = "financier-of"
    RECRUITED_BY = "recruited-by"
    CO_DEFENDANT = "co-defendant"


class GroupRelationKind(StrEnum):
    MERGED_INTO = "merged-into"
    SPLIT_FROM = "split-from"
    PLEDGED_ALLEGIANCE_TO = "pledged-allegiance-to"
    ALLIED_WITH = "allied-with"
    RENAMED_TO = "renamed-to"
    FACTION_OF = "faction-of"


class TravelMode(StrEnum):
    AIR = "air"
    LAND = "land"
    SEA = "sea"


class MovementEvidence(StrEnum):
    OBSERVED = "observed"
    REPORTED = "reported"
    PLANNED = "planned"


class DocumentType(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national-id"
    RESIDENCE_PERMIT = "residence-permit"
    TRAVEL_DOCUMENT = "travel-document"
    DRIVING_LICENCE = "driving-licence"
    OTHER = "other"


class AttackType(StrEnum):
    """Global Terrorism Database attack types."""

    ASSASSINATION = "assassination"
    ARMED_ASSAULT = "armed-assault"
    BOMBING = "bombing-explosion"
    HIJACKING = "hijacking"
    HOSTAGE_BARRICADE = "hostage-taking-barricade"
    HOSTAGE_KIDNAPPING = "hostage-taking-kidnapping"
    FACILITY_ATTACK = "facility-infrastructure-attack"
    UNARMED_ASSAULT = "unarmed-assault"
    UNKNOWN = "unknown"


class WeaponType(StrEnum):
    """Global Terrorism Database weapon types."""

    BIOLOGICAL = "biological"
    CHEMICAL = "chemical"
    RADIOLOGICAL = "radiological"
    NUCLEAR = "nuclear"
    FIREARMS = "firearms"
    EXPLOSIVES = "explosives"
    FAKE_WEAPONS = "fake-weapons"
    INCENDIARY = "incendiary"
    MELEE = "melee"
    VEHICLE = "vehicle"
    SABOTAGE_EQUIPMENT = "sabotage-equipment"
    OTHER = "other"
    UNKNOWN = "unknown"


class TargetType(StrEnum):
    """Global Terrorism Database target types."""

    BUSINESS = "business"
    GOVERNMENT_GENERAL = "government-general"
    POLICE = "police"
    MILITARY = "military"
    ABORTION_RELATED = "abortion-related"
    AIRPORTS_AIRCRAFT = "airports-aircraft"
    GOVERNMENT_DIPLOMATIC = "government-diplomatic"
    EDUCATIONAL_INSTITUTION = "educational-institution"
    FOOD_WATER_SUPPLY = "food-water-supply"
    JOURNALISTS_MEDIA = "journalists-media"
    MARITIME = "maritime"
    NGO = "ngo"
    OTHER = "other"
    PRIVATE_CITIZENS_PROPERTY = "private-citizens-property"
    RELIGIOUS_FIGURES_INSTITUTIONS = "religious-figures-institutions"
    TELECOMMUNICATION = "telecommunication"
    TERRORISTS_NON_STATE_MILITIA = "terrorists-non-state-militia"
    TOURISTS = "tourists"
    TRANSPORTATION = "transportation"
    UNKNOWN = "unknown"
    UTILITIES = "utilities"
    VIOLENT_POLITICAL_PARTY = "violent-political-party"


class PlotStatus(StrEnum):
    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    DISRUPTED = "disrupted"
    EXECUTED = "executed"


class ThreatLevel(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    SUBSTANTIAL = "substantial"
    SEVERE = "severe"
    CRITICAL = "critical"
