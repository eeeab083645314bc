"""Familiar forms of given names read as the full name: Bill is William, Jack is John, Yusuf is Joseph.

Records on one person written by different hands mix the formal and the familiar given name; no edit
distance brings Bob near Robert. Batch resolution compares given names through ``formal``, which maps a
loose key (``phonetic.loose``) of a familiar form to the loose key of its full name. The table holds
the common English familiar forms and the usual Arabic and Hebrew equivalents of biblical names.
"""

from __future__ import annotations

from functools import lru_cache

from ictdb.matching.phonetic import loose

_FORMS: dict[str, tuple[str, ...]] = {
    "william": ("bill", "billy", "will", "willie", "willy", "wm", "liam"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert", "robin"),
    "james": ("jim", "jimmy", "jamie", "jas", "jem"),
    "john": ("jack", "johnny", "jock", "jon", "jno", "ian", "yahya"),
    "thomas": ("tom", "tommy", "thos"),
    "charles": ("charlie", "chas", "chuck", "carl", "karl"),
    "edward": ("ted", "teddy", "ed", "eddie", "ned", "edd"),
    "edmund": ("edmond",),
    "richard": ("dick", "rick", "ricky", "richie", "dickie"),
    "henry": ("harry", "hal", "hank", "hen"),
    "harold": ("harry",),
    "joseph": ("joe", "joey", "jos", "yusuf", "yosef", "youssef", "josef"),
    "samuel": ("sam", "sammy"),
    "benjamin": ("ben", "benny", "benji"),
    "frederick": ("fred", "freddie", "freddy", "fritz"),
    "alfred": ("alf", "alfie"),
    "albert": ("bert", "bertie", "al"),
    "arthur": ("art", "artie"),
    "patrick": ("pat", "paddy"),
    "michael": ("mike", "mick", "mickey", "mikhail", "mikail"),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davy", "dawud", "davud"),
    "anthony": ("tony", "antony"),
    "francis": ("frank", "frankie"),
    "lawrence": ("larry", "laurie", "laurence"),
    "walter": ("wally", "walt"),
    "alexander": ("alex", "sandy", "alec", "sasha", "iskandar"),
    "christopher": ("chris", "kit", "kester"),
    "nicholas": ("nick", "nicky", "nicol"),
    "stephen": ("steve", "steven", "stevie"),
    "peter": ("pete",),
    "andrew": ("andy", "drew"),
    "matthew": ("matt", "mat"),
    "gilbert": ("gil",),
    "herbert": ("herb", "bert"),
    "leonard": ("len", "lenny", "leo"),
    "reginald": ("reg", "reggie"),
    "ronald": ("ron", "ronnie"),
    "donald": ("don", "donnie"),
    "kenneth": ("ken", "kenny"),
    "timothy": ("tim", "timmy"),
    "abraham": ("abe", "ibrahim"),
    "moses": ("musa", "moshe"),
    "jacob": ("jake", "yakub", "yaqub"),
    "solomon": ("sol", "suleiman", "sulayman"),
    "isaac": ("ike", "ishaq"),
    "catherine": ("kate", "katie", "kitty", "cathy", "katherine", "kathleen"),
    "margaret": ("maggie", "meg", "peggy", "madge", "daisy"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "bess", "bessie", "eliza", "elsie"),
    "mary": ("molly", "polly", "mae", "mamie", "maryam", "mariam"),
    "sarah": ("sally", "sadie", "sara"),
    "anne": ("ann", "annie", "nancy", "anna", "hannah"),
    "dorothy": ("dot", "dolly", "dora"),
    "eleanor": ("nell", "nellie", "ellie", "elinor"),
    "helen": ("nell", "ellen"),
    "susan": ("sue", "susie", "susanna", "susannah"),
    "jane": ("jenny", "jennie", "janet"),
    "frances": ("fanny",),
    "georgina": ("georgie",),
    "victoria": ("vicky", "tori"),
    "augustus": ("gus",),
    "josephine": ("jo", "josie"),
}


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for full, familiar in _FORMS.items():
        target = loose(full)
        for form in familiar:
            # a familiar form shared by two full names (Bert, Harry) stays with the first listed
            table.setdefault(loose(form), target)
    return table


_TABLE = _table()


@lru_cache(maxsize=65536)
def formal(key: str) -> str:
    """The loose key of the full given name that ``key`` (a loose key) is a familiar form of, else ``key``."""
    return _TABLE.get(key, key)
