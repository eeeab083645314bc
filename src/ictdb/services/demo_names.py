"""Name parts and places for the demo node and synthetic benchmarks: each written in Arabic, Cyrillic and Latin.

Every entry is an ordinary given name, family name or town; the demo combines them at random into fictional
people. The Latin spellings are the ones agencies actually meet: an English-style romanization (several, most
common first), the French one, the Turkish one; Caucasus names come with the German spelling too, because
German transliterates Cyrillic differently (``-ow``, ``sch``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ArabicPart:
    """An Arabic name element with the spellings each agency's script and language gives it."""

    ar: str
    en: tuple[str, ...]
    fr: str
    tr: str
    ru: str


@dataclass(frozen=True, slots=True)
class CaucasusPart:
    """A Chechen or Dagestani name element, native in Cyrillic, with its Latin and Arabic renderings."""

    ru: str
    en: str
    fr: str
    de: str
    ar: str


@dataclass(frozen=True, slots=True)
class EuropeanPart:
    """A French or German name element with its Arabic and Cyrillic renderings."""

    latin: str
    ar: str
    ru: str


@dataclass(frozen=True, slots=True)
class Town:
    """A place of birth or residence, with its name in the three scripts and its country."""

    en: str
    ar: str
    ru: str
    country: str
    tr: str | None = None


def _a(ar: str, en: str, fr: str, tr: str, ru: str) -> ArabicPart:
    return ArabicPart(ar, tuple(en.split("|")), fr, tr, ru)


ARABIC_GIVEN_MALE: tuple[ArabicPart, ...] = (
    _a("محمد", "Mohammed|Muhammad|Mohamad", "Mohamed", "Muhammed", "Мухаммад"),
    _a("أحمد", "Ahmed|Ahmad", "Ahmed", "Ahmet", "Ахмад"),
    _a("علي", "Ali", "Ali", "Ali", "Али"),
    _a("عمر", "Omar|Umar", "Omar", "Ömer", "Умар"),
    _a("خالد", "Khalid|Khaled", "Khaled", "Halid", "Халид"),
    _a("إبراهيم", "Ibrahim|Ebrahim", "Ibrahim", "İbrahim", "Ибрагим"),
    _a("يوسف", "Yousef|Yusuf|Youssef", "Youssef", "Yusuf", "Юсуф"),
    _a("حسن", "Hassan|Hasan", "Hassan", "Hasan", "Хасан"),
    _a("حسين", "Hussein|Hussain|Husayn", "Houssein", "Hüseyin", "Хусейн"),
    _a("عبد الله", "Abdullah|Abdallah|Abd Allah", "Abdallah", "Abdullah", "Абдулла"),
    _a("عبد الرحمن", "Abdul Rahman|Abdulrahman|Abd al-Rahman", "Abderrahmane", "Abdurrahman", "Абдуррахман"),
    _a("مصطفى", "Mustafa|Mostafa", "Moustapha", "Mustafa", "Мустафа"),
    _a("سعيد", "Saeed|Said", "Saïd", "Said", "Саид"),
    _a("ياسر", "Yasser|Yasir", "Yasser", "Yasir", "Ясир"),
    _a("طارق", "Tariq|Tarek", "Tarek", "Tarık", "Тарик"),
    _a("زياد", "Ziad|Ziyad", "Ziad", "Ziyad", "Зияд"),
    _a("ماهر", "Maher|Mahir", "Maher", "Mahir", "Махер"),
    _a("وليد", "Walid|Waleed", "Walid", "Velid", "Валид"),
    _a("جمال", "Jamal|Gamal", "Djamel", "Cemal", "Джамаль"),
    _a("فيصل", "Faisal|Faysal", "Fayçal", "Faysal", "Фейсал"),
    _a("سليمان", "Sulaiman|Suleiman|Sulayman", "Souleymane", "Süleyman", "Сулейман"),
    _a("إسماعيل", "Ismail|Ismael", "Ismaïl", "İsmail", "Исмаил"),
    _a("حمزة", "Hamza|Hamzah", "Hamza", "Hamza", "Хамза"),
    _a("أنس", "Anas", "Anas", "Enes", "Анас"),
    _a("بلال", "Bilal", "Bilal", "Bilal", "Билал"),
    _a("عثمان", "Othman|Uthman|Osman", "Othmane", "Osman", "Усман"),
    _a("صالح", "Saleh|Salih", "Saleh", "Salih", "Салих"),
    _a("ناصر", "Nasser|Nasir", "Nasser", "Nasır", "Насер"),
    _a("رامي", "Rami|Ramy", "Rami", "Rami", "Рами"),
    _a("عادل", "Adel|Adil", "Adel", "Adil", "Адиль"),
    _a("منصور", "Mansour|Mansur", "Mansour", "Mansur", "Мансур"),
    _a("قاسم", "Qasim|Kassem|Qassem", "Kacem", "Kasım", "Касым"),
    _a("كريم", "Karim|Kareem", "Karim", "Kerim", "Карим"),
    _a("مراد", "Murad|Mourad", "Mourad", "Murat", "Мурад"),
    _a("نبيل", "Nabil|Nabeel", "Nabil", "Nebil", "Набиль"),
    _a("هشام", "Hisham|Hesham", "Hicham", "Hişam", "Хишам"),
    _a("خليل", "Khalil|Khaleel", "Khalil", "Halil", "Халиль"),
    _a("ياسين", "Yassin|Yaseen|Yasin", "Yacine", "Yasin", "Ясин"),
    _a("عمار", "Ammar|Amar", "Ammar", "Ammar", "Аммар"),
    _a("سفيان", "Sufyan|Sofian", "Soufiane", "Süfyan", "Суфьян"),
)

ARABIC_GIVEN_FEMALE: tuple[ArabicPart, ...] = (
    _a("فاطمة", "Fatima|Fatimah", "Fatima", "Fatma", "Фатима"),
    _a("عائشة", "Aisha|Aysha|Aicha", "Aïcha", "Ayşe", "Аиша"),
    _a("مريم", "Maryam|Mariam", "Meriem", "Meryem", "Марьям"),
    _a("زينب", "Zainab|Zaynab", "Zineb", "Zeynep", "Зайнаб"),
    _a("خديجة", "Khadija|Khadijah", "Khadija", "Hatice", "Хадиджа"),
    _a("أسماء", "Asma|Asmaa", "Asma", "Esma", "Асма"),
    _a("نور", "Nour|Noor", "Nour", "Nur", "Нур"),
    _a("سارة", "Sara|Sarah", "Sarah", "Sare", "Сара"),
)

ARABIC_FAMILY: tuple[ArabicPart, ...] = (
    _a("الجبوري", "al-Jubouri|al-Juburi|al-Jabouri", "el-Jabouri", "el-Cuburi", "аль-Джубури"),
    _a("الدليمي", "al-Dulaimi|al-Dulaymi", "el-Doulaimi", "ed-Duleymi", "ад-Дулейми"),
    _a("العبيدي", "al-Obaidi|al-Ubaydi|al-Obeidi", "el-Obeidi", "el-Ubeydi", "аль-Убейди"),
    _a("الراوي", "al-Rawi|ar-Rawi", "er-Raoui", "er-Ravi", "ар-Рави"),
    _a("الحديثي", "al-Hadithi|al-Hadeethi", "el-Hadithi", "el-Hadisi", "аль-Хадиси"),
    _a("الزبيدي", "al-Zubaidi|al-Zubaydi|az-Zubaidi", "ez-Zoubeidi", "ez-Zübeydi", "аз-Зубейди"),
    _a("الشمري", "al-Shammari|al-Shamari|ash-Shammari", "ech-Chammari", "eş-Şammari", "аш-Шаммари"),
    _a("العنزي", "al-Anizi|al-Enezi|al-Anazi", "el-Anezi", "el-Enezi", "аль-Анизи"),
    _a("الكبيسي", "al-Kubaisi|al-Kubaysi", "el-Koubaissi", "el-Kubeysi", "аль-Кубейси"),
    _a("المحمدي", "al-Mohammadi|al-Muhammadi", "el-Mohammadi", "el-Muhammedi", "аль-Мухаммади"),
    _a("الحمداني", "al-Hamdani", "el-Hamdani", "el-Hamdani", "аль-Хамдани"),
    _a("الخطيب", "al-Khatib|al-Khateeb", "el-Khatib", "el-Hatip", "аль-Хатиб"),
    _a("النعيمي", "al-Nuaimi|al-Naimi|an-Nuaymi", "en-Nouaimi", "en-Nuaymi", "ан-Нуайми"),
    _a("العلي", "al-Ali", "el-Ali", "el-Ali", "аль-Али"),
    _a("الحمصي", "al-Homsi|al-Humsi", "el-Homsi", "el-Humusi", "аль-Хомси"),
    _a("درويش", "Darwish|Darweesh", "Darwiche", "Derviş", "Дарвиш"),
    _a("حداد", "Haddad", "Haddad", "Haddad", "Хаддад"),
    _a("عباس", "Abbas", "Abbas", "Abbas", "Аббас"),
    _a("حمدان", "Hamdan", "Hamdane", "Hamdan", "Хамдан"),
    _a("الزعبي", "al-Zoubi|al-Zu'bi|al-Zubi", "ez-Zoubi", "ez-Zubi", "аз-Зуби"),
    _a("العتوم", "al-Atoum|al-Atum", "el-Atoum", "el-Atum", "аль-Атум"),
    _a("المجالي", "al-Majali|al-Majaly", "el-Majali", "el-Mecali", "аль-Маджали"),
    _a("الطرابلسي", "al-Trabelsi|al-Tarabulsi", "Trabelsi", "et-Trablusi", "ат-Трабулси"),
    _a("بوزيد", "Bouzid|Bu Zaid", "Bouzid", "Buzid", "Бузид"),
    _a("العمري", "al-Omari|al-Umari", "el-Omari", "el-Ömeri", "аль-Умари"),
    _a("الفهداوي", "al-Fahdawi", "el-Fahdaoui", "el-Fehdavi", "аль-Фахдави"),
    _a("السامرائي", "al-Samarrai|al-Samarra'i", "es-Samarraï", "es-Samerrai", "ас-Самарраи"),
    _a("البدراني", "al-Badrani", "el-Badrani", "el-Bedrani", "аль-Бадрани"),
    _a("القيسي", "al-Qaisi|al-Qaysi|al-Kaisi", "el-Qaissi", "el-Kaysi", "аль-Кайси"),
    _a("المصلح", "al-Musleh|al-Muslih", "el-Mousleh", "el-Muslih", "аль-Муслих"),
)

NISBAS: tuple[ArabicPart, ...] = (
    _a("الشامي", "al-Shami|ash-Shami", "ech-Chami", "eş-Şami", "аш-Шами"),
    _a("العراقي", "al-Iraqi", "el-Iraqi", "el-Iraki", "аль-Ираки"),
    _a("المصري", "al-Masri|al-Misri", "el-Masri", "el-Mısri", "аль-Масри"),
    _a("الأردني", "al-Urduni|al-Ordoni", "el-Ourdouni", "el-Ürdüni", "аль-Урдуни"),
    _a("التونسي", "al-Tunisi|at-Tunisi", "et-Tounsi", "et-Tunusi", "ат-Туниси"),
    _a("الليبي", "al-Libi|al-Leebi", "el-Libi", "el-Libi", "аль-Либи"),
    _a("الأنصاري", "al-Ansari", "el-Ansari", "el-Ensari", "аль-Ансари"),
    _a("الموصلي", "al-Mosuli|al-Mawsili", "el-Mossouli", "el-Musuli", "аль-Мосули"),
    _a("الأنباري", "al-Anbari", "el-Anbari", "el-Enbari", "аль-Анбари"),
    _a("الفلوجي", "al-Fallouji|al-Falluji", "el-Fallouji", "el-Felluci", "аль-Фаллуджи"),
    _a("الديري", "al-Deiri|al-Dayri", "ed-Deiri", "ed-Deyri", "ад-Дейри"),
    _a("الرقاوي", "al-Raqqawi", "er-Raqqaoui", "er-Rakkavi", "ар-Раккави"),
    _a("الحلبي", "al-Halabi", "el-Halabi", "el-Halebi", "аль-Халяби"),
    _a("الكردي", "al-Kurdi", "el-Kurdi", "el-Kürdi", "аль-Курди"),
)

# Kunya + nisba pairs that are the noms de guerre of well-known real people; the demo never builds these.
AVOID_KUNYAS: frozenset[tuple[str, str]] = frozenset(
    {
        ("حمزة", "المصري"),
        ("أنس", "الليبي"),
        ("علي", "الأنباري"),
        ("عبد الله", "الشامي"),
        ("محمد", "الشامي"),
        ("عمر", "العراقي"),
        ("عبد الرحمن", "المصري"),
        ("عبد الله", "المصري"),
    }
)
KUNYA_CAUCASUS: tuple[ArabicPart, ...] = (
    _a("الشيشاني", "al-Shishani|ash-Shishani", "ech-Chichani", "eş-Şişani", "аш-Шишани"),
    _a("الداغستاني", "al-Daghestani|ad-Daghestani", "ed-Daghestani", "ed-Dağıstani", "ад-Дагестани"),
)
KUNYA_EUROPE: dict[str, ArabicPart] = {
    "FR": _a("الفرنسي", "al-Faransi|al-Firansi", "el-Faransi", "el-Feransi", "аль-Франси"),
    "DE": _a("الألماني", "al-Almani", "el-Almani", "el-Almani", "аль-Альмани"),
}
ABU = _a("أبو", "Abu|Abou", "Abou", "Ebu", "Абу")
UMM = _a("أم", "Umm|Um", "Oum", "Ümmü", "Умм")
BIN = _a("بن", "bin|ibn", "ben", "bin", "ибн")


def _c(ru: str, en: str, fr: str, de: str, ar: str) -> CaucasusPart:
    return CaucasusPart(ru, en, fr, de, ar)


CAUCASUS_GIVEN_MALE: tuple[CaucasusPart, ...] = (
    _c("Руслан", "Ruslan", "Rouslan", "Ruslan", "روسلان"),
    _c("Магомед", "Magomed", "Magomed", "Magomed", "ماغوميد"),
    _c("Ахмед", "Akhmed", "Akhmed", "Achmed", "أحمد"),
    _c("Шамиль", "Shamil", "Chamil", "Schamil", "شامل"),
    _c("Рустам", "Rustam", "Roustam", "Rustam", "رستم"),
    _c("Аслан", "Aslan", "Aslan", "Aslan", "أصلان"),
    _c("Тимур", "Timur", "Timour", "Timur", "تيمور"),
    _c("Ибрагим", "Ibragim", "Ibraguim", "Ibragim", "إبراهيم"),
    _c("Хамзат", "Khamzat", "Khamzat", "Chamsat", "حمزات"),
    _c("Зелимхан", "Zelimkhan", "Zelimkhan", "Selimchan", "زليمخان"),
    _c("Ислам", "Islam", "Islam", "Islam", "إسلام"),
    _c("Адам", "Adam", "Adam", "Adam", "آدم"),
    _c("Анзор", "Anzor", "Anzor", "Ansor", "أنزور"),
    _c("Бислан", "Bislan", "Bislan", "Bislan", "بيسلان"),
    _c("Ильяс", "Ilyas", "Ilias", "Iljas", "إلياس"),
    _c("Муса", "Musa", "Moussa", "Mussa", "موسى"),
)

CAUCASUS_GIVEN_FEMALE: tuple[CaucasusPart, ...] = (
    _c("Мадина", "Madina", "Madina", "Madina", "مادينا"),
    _c("Зарема", "Zarema", "Zarema", "Sarema", "زاريما"),
    _c("Хава", "Khava", "Khava", "Chawa", "حواء"),
    _c("Луиза", "Luiza", "Louiza", "Luisa", "لويزا"),
)

# Patronymics (male form); the female form swaps -ович/-евич for -овна/-евна.
CAUCASUS_PATRONYMICS: tuple[tuple[str, str], ...] = (
    ("Ахмедович", "Akhmedovich"),
    ("Магомедович", "Magomedovich"),
    ("Русланович", "Ruslanovich"),
    ("Ибрагимович", "Ibragimovich"),
    ("Исламович", "Islamovich"),
    ("Хасанович", "Khasanovich"),
    ("Адамович", "Adamovich"),
    ("Умарович", "Umarovich"),
    ("Шамилевич", "Shamilevich"),
    ("Тимурович", "Timurovich"),
)

CAUCASUS_FAMILY: tuple[CaucasusPart, ...] = (
    _c("Магомедов", "Magomedov", "Magomedov", "Magomedow", "ماغوميدوف"),
    _c("Абдурахманов", "Abdurakhmanov", "Abdourakhmanov", "Abdurachmanow", "عبد الرحمانوف"),
    _c("Гаджиев", "Gadzhiev", "Gadjiev", "Gadschijew", "غادجييف"),
    _c("Исмаилов", "Ismailov", "Ismaïlov", "Ismailow", "إسماعيلوف"),
    _c("Хасанов", "Khasanov", "Khassanov", "Chassanow", "حسانوف"),
    _c("Алиев", "Aliev", "Aliev", "Alijew", "علييف"),
    _c("Муртазалиев", "Murtazaliev", "Mourtazaliev", "Murtasalijew", "مرتضى علييف"),
    _c("Исрапилов", "Israpilov", "Israpilov", "Israpilow", "إسرافيلوف"),
    _c("Бацаев", "Batsaev", "Batsaev", "Bazajew", "باتساييف"),
    _c("Эльмурзаев", "Elmurzaev", "Elmourzaev", "Elmursajew", "إلمورزاييف"),
    _c("Темирханов", "Temirkhanov", "Temirkhanov", "Temirchanow", "تيميرخانوف"),
    _c("Саидов", "Saidov", "Saïdov", "Saidow", "سعيدوف"),
    _c("Юсупов", "Yusupov", "Youssoupov", "Jussupow", "يوسوبوف"),
    _c("Махмудов", "Makhmudov", "Makhmoudov", "Machmudow", "محمودوف"),
    _c("Висаитов", "Visaitov", "Vissaïtov", "Wisaitow", "فيسايتوف"),
    _c("Абубакаров", "Abubakarov", "Aboubakarov", "Abubakarow", "أبو بكروف"),
)

EUROPEAN_GIVEN: dict[str, tuple[EuropeanPart, ...]] = {
    "FR": (
        EuropeanPart("Julien", "جوليان", "Жюльен"),
        EuropeanPart("Kévin", "كيفن", "Кевин"),
        EuropeanPart("Maxime", "ماكسيم", "Максим"),
        EuropeanPart("Nicolas", "نيكولا", "Николя"),
        EuropeanPart("Romain", "رومان", "Ромен"),
        EuropeanPart("Anthony", "أنتوني", "Энтони"),
        EuropeanPart("Sébastien", "سيباستيان", "Себастьен"),
    ),
    "DE": (
        EuropeanPart("Dennis", "دينيس", "Деннис"),
        EuropeanPart("Marcel", "مارسيل", "Марсель"),
        EuropeanPart("Sven", "سفين", "Свен"),
        EuropeanPart("Florian", "فلوريان", "Флориан"),
        EuropeanPart("Jan", "يان", "Ян"),
        EuropeanPart("Tobias", "توبياس", "Тобиас"),
        EuropeanPart("Patrick", "باتريك", "Патрик"),
    ),
}

EUROPEAN_FAMILY: dict[str, tuple[EuropeanPart, ...]] = {
    "FR": (
        EuropeanPart("Moreau", "مورو", "Моро"),
        EuropeanPart("Lefèvre", "لوفيفر", "Лефевр"),
        EuropeanPart("Girard", "جيرار", "Жирар"),
        EuropeanPart("Bonnet", "بونيه", "Бонне"),
        EuropeanPart("Roux", "رو", "Ру"),
        EuropeanPart("Fontaine", "فونتين", "Фонтен"),
        EuropeanPart("Marchand", "مارشان", "Маршан"),
    ),
    "DE": (
        EuropeanPart("Becker", "بيكر", "Беккер"),
        EuropeanPart("Wagner", "فاغنر", "Вагнер"),
        EuropeanPart("Hoffmann", "هوفمان", "Хофман"),
        EuropeanPart("Schulz", "شولتس", "Шульц"),
        EuropeanPart("Krüger", "كروغر", "Крюгер"),
        EuropeanPart("Vogel", "فوغل", "Фогель"),
        EuropeanPart("Lehmann", "ليمان", "Леман"),
    ),
}

TOWNS: tuple[Town, ...] = (
    Town("Mosul", "الموصل", "Мосул", "IQ", "Musul"),
    Town("Fallujah", "الفلوجة", "Фаллуджа", "IQ", "Felluce"),
    Town("Ramadi", "الرمادي", "Эр-Рамади", "IQ"),
    Town("Tikrit", "تكريت", "Тикрит", "IQ"),
    Town("Baghdad", "بغداد", "Багдад", "IQ", "Bağdat"),
    Town("Kirkuk", "كركوك", "Киркук", "IQ", "Kerkük"),
    Town("Haditha", "حديثة", "Хадита", "IQ"),
    Town("Aleppo", "حلب", "Алеппо", "SY", "Halep"),
    Town("Homs", "حمص", "Хомс", "SY", "Humus"),
    Town("Deir ez-Zor", "دير الزور", "Дейр-эз-Зор", "SY", "Deyrizor"),
    Town("Raqqa", "الرقة", "Ракка", "SY", "Rakka"),
    Town("Idlib", "إدلب", "Идлиб", "SY", "İdlib"),
    Town("Zarqa", "الزرقاء", "Эз-Зарка", "JO"),
    Town("Irbid", "إربد", "Ирбид", "JO"),
    Town("Ma'an", "معان", "Маан", "JO"),
    Town("Tunis", "تونس", "Тунис", "TN"),
    Town("Ben Guerdane", "بن قردان", "Бен-Гардан", "TN"),
    Town("Benghazi", "بنغازي", "Бенгази", "LY", "Bingazi"),
    Town("Derna", "درنة", "Дерна", "LY"),
    Town("Alexandria", "الإسكندرية", "Александрия", "EG", "İskenderiye"),
    Town("Grozny", "غروزني", "Грозный", "RU"),
    Town("Gudermes", "غوديرميس", "Гудермес", "RU"),
    Town("Makhachkala", "محج قلعة", "Махачкала", "RU", "Mahaçkale"),
    Town("Khasavyurt", "خاسافيورت", "Хасавюрт", "RU", "Hasavyurt"),
    Town("Nalchik", "نالتشيك", "Нальчик", "RU"),
    Town("Duisi", "دويسي", "Дуиси", "GE"),
    Town("Paris", "باريس", "Париж", "FR"),
    Town("Toulouse", "تولوز", "Тулуза", "FR"),
    Town("Nice", "نيس", "Ницца", "FR"),
    Town("Roubaix", "روبيه", "Рубе", "FR"),
    Town("Dinslaken", "دينسلاكن", "Динслакен", "DE"),
    Town("Bonn", "بون", "Бонн", "DE"),
    Town("Hamburg", "هامبورغ", "Гамбург", "DE"),
    Town("Berlin", "برلين", "Берлин", "DE"),
    Town("Gaziantep", "غازي عنتاب", "Газиантеп", "TR"),
    Town("Istanbul", "إسطنبول", "Стамбул", "TR", "İstanbul"),
)


def towns_in(country: str) -> tuple[Town, ...]:
    return tuple(town for town in TOWNS if town.country == country)


@dataclass(frozen=True, slots=True)
class GroupName:
    """An organization's name in Arabic, English (romanized), French and Russian."""

    ar: str
    en: str
    fr: str
    ru: str


# Fictional armed groups: a unit word and a motto, combined by the demo into names like "Jaysh Usud al-Sahra".
GROUP_UNITS: tuple[GroupName, ...] = (
    GroupName("جماعة", "Jamaat", "Jamaat", "Джамаат"),
    GroupName("كتائب", "Kataib", "Kataëb", "Катаиб"),
    GroupName("حركة", "Harakat", "Harakat", "Харакат"),
    GroupName("لواء", "Liwa", "Liwa", "Лива"),
    GroupName("جيش", "Jaysh", "Jaych", "Джейш"),
    GroupName("سرايا", "Saraya", "Saraya", "Сарайя"),
)
GROUP_MOTTOS: tuple[GroupName, ...] = (
    GroupName("أنصار الفجر", "Ansar al-Fajr", "Ansar el-Fajr", "Ансар аль-Фаджр"),
    GroupName("جند البادية", "Jund al-Badiya", "Jound el-Badiya", "Джунд аль-Бадия"),
    GroupName("رجال الفرات", "Rijal al-Furat", "Rijal el-Fourat", "Риджаль аль-Фурат"),
    GroupName("أحرار الوادي", "Ahrar al-Wadi", "Ahrar el-Wadi", "Ахрар аль-Вади"),
    GroupName("شباب الجبل", "Shabab al-Jabal", "Chabab el-Jabal", "Шабаб аль-Джабаль"),
    GroupName("فرسان الراية", "Fursan al-Raya", "Foursane er-Raya", "Фурсан ар-Рая"),
    GroupName("أسود الصحراء", "Usud al-Sahra", "Oussoud es-Sahra", "Усуд ас-Сахра"),
    GroupName("حماة الحدود", "Humat al-Hudud", "Houmat el-Houdoud", "Хумат аль-Худуд"),
    GroupName("صقور النخيل", "Suqur al-Nakhil", "Souqour en-Nakhil", "Сукур ан-Нахиль"),
    GroupName("درع الساحل", "Dir' al-Sahil", "Dir' es-Sahil", "Дир ас-Сахиль"),
)

CAUCASUS_GROUPS: tuple[GroupName, ...] = (
    GroupName(
        "جماعة الثغر القوقازي",
        "Caucasian Frontier Jamaat",
        "Jamaat de la Frontière caucasienne",
        "Джамаат «Кавказский рубеж»",
    ),
    GroupName("لواء المنحدر الشمالي", "Northern Slope Brigade", "Brigade du Versant nord", "Бригада «Северный склон»"),
    GroupName("جماعة درب الجبل", "Mountain Path Jamaat", "Jamaat du Sentier de montagne", "Джамаат «Горная тропа»"),
    GroupName("كتيبة سيف القوقاز", "Katibat Sayf al-Qawqaz", "Katibat Sayf el-Qawqaz", "Катиба «Сайф аль-Кавказ»"),
)

FRONT_GROUPS: tuple[tuple[GroupName, str], ...] = (
    (
        GroupName(
            "مؤسسة النخيل للإغاثة",
            "Al-Nakhil Relief Foundation",
            "Fondation de secours Al-Nakhil",
            "Фонд помощи «Ан-Нахиль»",
        ),
        "front",
    ),
    (
        GroupName(
            "دار القلم للصرافة",
            "Dar al-Qalam Exchange",
            "Bureau de change Dar el-Qalam",
            "Обменная контора «Дар аль-Калам»",
        ),
        "financier",
    ),
    (
        GroupName(
            "جمعية الساحل الإنسانية", "Sahil Humanitarian Aid", "Aide humanitaire Sahil", "Гуманитарная помощь «Сахиль»"
        ),
        "front",
    ),
    (
        GroupName(
            "شركة الوادي للنقل",
            "Al-Wadi Transport Company",
            "Société de transport Al-Wadi",
            "Транспортная компания «Аль-Вади»",
        ),
        "financier",
    ),
)

PASSENGER_NAMES: tuple[str, ...] = (
    "MUELLER ANNA",
    "YILMAZ MEHMET",
    "KAYA ZEYNEP",
    "SCHNEIDER THOMAS",
    "DEMIR AHMET",
    "HADDAD RANIA",
    "OZTURK EMRE",
    "WEBER KATHARINA",
    "SAHIN ELIF",
    "NASSAR GEORGE",
    "FISCHER LUKAS",
)
