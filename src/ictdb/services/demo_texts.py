"""Fixed wording for the demo node: report templates, incident labels, travel routes, authorities, month names.

Kept apart from the generator so the phrases can be read and corrected without reading the logic. Places,
carriers and authorities are real so the demo is recognisable; every event built from them is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass

from ictdb.model.vocab import AttackType, TargetType, TravelMode

# fmt: off
PASSWORD_WORDS = (
    "amber", "basalt", "cedar", "cobalt", "delta", "falcon", "harbour", "juniper",
    "meridian", "orchid", "quartz", "saffron", "tundra", "willow", "zephyr", "lantern",
)  # fmt: skip


H3_NOTES = (
    "Not to be shared with the authorities of the subject's country of nationality.",
    "Source protection: contact the owner before any action on this record.",
    "Not for use in immigration or asylum decisions.",
    "Do not approach the subject: ongoing operation.",
)


JUSTIFICATIONS = (
    "Subject of an open investigation.",
    "Reported by a liaison service; corroborated by travel data.",
    "Identified from seized material.",
    "Court-authorised interception.",
    "Human source reporting, assessed as credible.",
    "Open-source research confirmed by a second source.",
)


@dataclass(frozen=True, slots=True)
class Route:
    key: str
    origin: str
    origin_place: str
    destination: str
    destination_place: str
    entry: str
    mode: TravelMode
    carrier: str | None
    code: str | None
    hours: float


ROUTES: tuple[Route, ...] = (
    Route(
        "paris-ist",
        "FR",
        "Paris",
        "TR",
        "Istanbul",
        "Istanbul Airport (IST)",
        TravelMode.AIR,
        "Turkish Airlines",
        "TK",
        3.5,
    ),
    Route(
        "fra-ist", "DE", "Frankfurt", "TR", "Istanbul", "Istanbul Airport (IST)", TravelMode.AIR, "Lufthansa", "LH", 3.0
    ),
    Route(
        "dus-gzt",
        "DE",
        "Düsseldorf",
        "TR",
        "Gaziantep",
        "Gaziantep Airport (GZT)",
        TravelMode.AIR,
        "Pegasus Airlines",
        "PC",
        4.0,
    ),
    Route("svo-ist", "RU", "Moscow", "TR", "Istanbul", "Istanbul Airport (IST)", TravelMode.AIR, "Aeroflot", "SU", 3.5),
    Route("kilis-azaz", "TR", "Kilis", "SY", "Azaz", "Öncüpınar border gate", TravelMode.LAND, None, None, 1.0),
    Route(
        "reyhanli-sarmada", "TR", "Reyhanlı", "SY", "Sarmada", "Cilvegözü border gate", TravelMode.LAND, None, None, 1.5
    ),
    Route(
        "amm-bgw",
        "JO",
        "Amman",
        "IQ",
        "Baghdad",
        "Baghdad International Airport (BGW)",
        TravelMode.AIR,
        "Royal Jordanian",
        "RJ",
        1.8,
    ),
    Route(
        "bgw-ist",
        "IQ",
        "Baghdad",
        "TR",
        "Istanbul",
        "Istanbul Airport (IST)",
        TravelMode.AIR,
        "Iraqi Airways",
        "IA",
        3.3,
    ),
    Route(
        "trebil", "IQ", "Ramadi", "JO", "Ruwaished", "Karameh-Trebil border crossing", TravelMode.LAND, None, None, 6.0
    ),
    Route(
        "upper-lars",
        "RU",
        "Vladikavkaz",
        "GE",
        "Stepantsminda",
        "Upper Lars checkpoint",
        TravelMode.LAND,
        None,
        None,
        2.0,
    ),
    Route(
        "tbs-ist",
        "GE",
        "Tbilisi",
        "TR",
        "Istanbul",
        "Istanbul Airport (IST)",
        TravelMode.AIR,
        "Georgian Airways",
        "A9",
        2.5,
    ),
    Route(
        "mersin-tripoli",
        "TR",
        "Mersin",
        "LB",
        "Tripoli",
        "Port of Tripoli",
        TravelMode.SEA,
        "Mersin Ferry Lines",
        None,
        11.0,
    ),
    Route("qaim", "SY", "Abu Kamal", "IQ", "al-Qaim", "Husaybah border crossing", TravelMode.LAND, None, None, 0.5),
    Route(
        "ist-paris",
        "TR",
        "Istanbul",
        "FR",
        "Paris",
        "Paris-Charles de Gaulle (CDG)",
        TravelMode.AIR,
        "Turkish Airlines",
        "TK",
        4.0,
    ),
    Route(
        "ist-fra",
        "TR",
        "Istanbul",
        "DE",
        "Frankfurt",
        "Frankfurt Airport (FRA)",
        TravelMode.AIR,
        "Turkish Airlines",
        "TK",
        3.3,
    ),
)
ROUTE = {route.key: route for route in ROUTES}

# Journeys by the traveller's first nationality: legs taken one after another ("*": anyone else).
ITINERARIES: dict[str, tuple[tuple[str, ...], ...]] = {
    "FR": (("paris-ist", "kilis-azaz", "ist-paris"), ("paris-ist", "reyhanli-sarmada")),
    "DE": (("fra-ist", "reyhanli-sarmada", "ist-fra"), ("dus-gzt", "kilis-azaz")),
    "RU": (("svo-ist", "kilis-azaz"), ("upper-lars", "tbs-ist", "reyhanli-sarmada")),
    "GE": (("tbs-ist", "reyhanli-sarmada"),),
    "IQ": (("bgw-ist", "kilis-azaz", "qaim"), ("trebil",), ("qaim",)),
    "SY": (("qaim",), ("mersin-tripoli",)),
    "JO": (("amm-bgw",), ("amm-bgw", "bgw-ist")),
    "*": (("kilis-azaz",), ("reyhanli-sarmada", "mersin-tripoli")),
}


ATTACK_LABEL: dict[str, dict[AttackType, str]] = {
    "en": {
        AttackType.ASSASSINATION: "Assassination", AttackType.ARMED_ASSAULT: "Armed assault",
        AttackType.BOMBING: "Bombing", AttackType.HIJACKING: "Hijacking",
        AttackType.HOSTAGE_BARRICADE: "Hostage taking", AttackType.HOSTAGE_KIDNAPPING: "Kidnapping",
        AttackType.FACILITY_ATTACK: "Arson attack", AttackType.UNARMED_ASSAULT: "Attack",
        AttackType.UNKNOWN: "Incident",
    },
    "fr": {
        AttackType.ASSASSINATION: "Assassinat", AttackType.ARMED_ASSAULT: "Attaque armée",
        AttackType.BOMBING: "Attentat à l'explosif", AttackType.HIJACKING: "Détournement",
        AttackType.HOSTAGE_BARRICADE: "Prise d'otages", AttackType.HOSTAGE_KIDNAPPING: "Enlèvement",
        AttackType.FACILITY_ATTACK: "Incendie criminel", AttackType.UNARMED_ASSAULT: "Agression",
        AttackType.UNKNOWN: "Incident",
    },
    "ar": {
        AttackType.ASSASSINATION: "اغتيال", AttackType.ARMED_ASSAULT: "هجوم مسلح",
        AttackType.BOMBING: "تفجير", AttackType.HIJACKING: "اختطاف وسيلة نقل",
        AttackType.HOSTAGE_BARRICADE: "احتجاز رهائن", AttackType.HOSTAGE_KIDNAPPING: "خطف",
        AttackType.FACILITY_ATTACK: "هجوم على منشأة", AttackType.UNARMED_ASSAULT: "اعتداء",
        AttackType.UNKNOWN: "حادث",
    },
    "ru": {
        AttackType.ASSASSINATION: "Убийство", AttackType.ARMED_ASSAULT: "Вооружённое нападение",
        AttackType.BOMBING: "Взрыв", AttackType.HIJACKING: "Угон",
        AttackType.HOSTAGE_BARRICADE: "Захват заложников", AttackType.HOSTAGE_KIDNAPPING: "Похищение",
        AttackType.FACILITY_ATTACK: "Поджог", AttackType.UNARMED_ASSAULT: "Нападение",
        AttackType.UNKNOWN: "Инцидент",
    },
}  # fmt: skip


TARGETS = (
    (TargetType.POLICE, "a police checkpoint", "checkpoint"),
    (TargetType.MILITARY, "an army post", "army post"),
    (TargetType.GOVERNMENT_GENERAL, "a district administration building", "district offices"),
    (TargetType.RELIGIOUS_FIGURES_INSTITUTIONS, "a place of worship", "place of worship"),
    (TargetType.PRIVATE_CITIZENS_PROPERTY, "a market", "market"),
    (TargetType.TRANSPORTATION, "a bus station", "bus station"),
    (TargetType.BUSINESS, "a shopping centre", "shopping centre"),
    (TargetType.UTILITIES, "a power substation", "power substation"),
    (TargetType.EDUCATIONAL_INSTITUTION, "a school", "school"),
    (TargetType.TOURISTS, "a hotel", "hotel"),
    (TargetType.AIRPORTS_AIRCRAFT, "an airport terminal", "airport terminal"),
    (TargetType.JOURNALISTS_MEDIA, "a broadcaster's office", "broadcaster"),
)


AUTHORITIES = {
    "IQ-CTS": ("Iraq: Committee for Freezing Terrorist Assets", "National terrorist list", "IQ-FRZ"),
    "JO-GID": ("Jordan: Committee for the Implementation of Security Council Resolutions", "National list", "JO-NL"),
    "RU-FSB": ("Russia: Federal Financial Monitoring Service", "List of terrorists and extremists", "RU-TE"),
    "FR-DGSI": ("France: Directorate General of the Treasury", "National asset freeze register", "FR-GEL"),
    "DE-BKA": ("Germany: Federal Ministry of the Interior", "Prohibited associations", "DE-VV"),
    "TR-EGM": ("Türkiye: Asset freezing under Law No. 6415", "Article 7 decisions", "TR-6415"),
}


MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "ar": ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
           "تشرين الثاني", "كانون الأول"),
    "ru": ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре", "октябре",
           "ноябре", "декабре"),
}  # fmt: skip


REPORTS = {
    "ar": (
        ("لقاء في {town}", "أفاد مصدر موثوق بأن {p1} التقى {p2} في {town} خلال {month} {year}، وناقشا تحويل أموال لصالح {org}."),
        ("عودة من سوريا", "تشير المعلومات إلى أن {p1} عاد من سوريا عبر {town} في {month} {year} ويقيم حالياً لدى أقاربه. يُعتقد أنه ما زال على اتصال بـ{p2} وبقيادة {org}."),
        ("اعتقال عند نقطة تفتيش", "اعتُقل {p1} عند نقطة تفتيش قرب {town} في {month} {year} وبحوزته وثيقة سفر مزورة. وذكر خلال التحقيق اسم {p2} بوصفه منسّقاً لـ{org}."),
    ),
    "ru": (
        ("Выезд в Турцию", "По оперативным данным, {p1} в {month} {year} года выехал из города {town} в Турцию, где встречался с {p2}, членом организации {org}."),
        ("Финансирование", "{p1} подозревается в финансировании организации {org}; денежные переводы в {month} {year} года поступали через посредника {p2}."),
        ("Связи", "Установлено, что {p1} поддерживает связь с {p2} через мессенджеры и в {month} {year} года планировал вернуться в {town}; оба связаны с {org}."),
    ),
    "en": (
        ("Travel and contacts", "Source reporting indicates that {p1} travelled from {town} in {month} {year} and met {p2}, a facilitator for {org}."),
        ("Weapons procurement", "{p1} was identified on intercepted communications in {month} {year} discussing weapons procurement for {org} with {p2}."),
        ("Forged documents", "Liaison reporting: {p1} is believed to have used a forged passport in {month} {year} to travel on from {town}; {p2}, linked to {org}, arranged the route."),
    ),
    "fr": (
        ("Départ vers la zone", "Selon une source, {p1} a quitté {town} en {month} {year} pour rejoindre {org} ; il serait en contact régulier avec {p2}."),
        ("Retour en France", "{p1} serait revenu en France en {month} {year} par la Turquie ; {p2}, membre de {org}, aurait organisé son passage."),
    ),
}  # fmt: skip
# fmt: on
