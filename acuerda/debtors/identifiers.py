"""National identity documents (debtors) and company tax ids (creditors).

Every checksum, length and component rule comes from python-stdnum; this module only picks the
right stdnum module for a (country, type) pair, cleans the input, turns stdnum's exceptions into
one ``InvalidIdentifier`` with a human reason, and adds the few rules stdnum has no module for:

* CO ``CC`` (cédula de ciudadanía): digits only, 3 to 10 digits once leading zeros are dropped
  (a cédula never starts with 0, so ``0079123456`` and ``79123456`` are the same person). No
  check digit exists.
* CO ``CE`` (cédula de extranjería): 3 to 10 ASCII letters or digits with at least one digit,
  kept as written (upper-cased, separators removed). No check digit exists.
* PE ``DNI``: stdnum ``pe.cui``; 8 digits, optionally followed by the check digit (or letter) printed
  on the card, which is verified when present and dropped from the stored form.
* ES ``DNI`` (and a DNI-shaped ``NIF``): the common omission of the leading zero is repaired
  (``1234567L`` is stored as ``01234567L``) before the check letter is verified.
* AR ``CUIL``: the CUIT algorithm restricted to the individual prefixes 20, 23, 24 and 27.
* MX ``RFC``: stdnum's default leniency is kept, the final check digit is *not* enforced because
  SAT has issued RFCs whose check digit does not match (stdnum estimates ~1.5%). Length, layout,
  date and the inconvenient-word list are enforced.

Messages never echo the number itself (it is personal data and ends up in logs); callers know
what they passed.

The ``demo_*`` generators build valid, canonical, distinct numbers from a sequence number for
seeding demo data. They run without stdnum validation, so ``DEMO_SEQ_LIMIT`` bounds the range in
which uniqueness is guaranteed (each one is an affine permutation of ``seq`` mapped into a range
of numbers that has room for ``DEMO_SEQ_LIMIT`` values).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.ar import cuit as ar_cuit
from stdnum.ar import dni as ar_dni
from stdnum.cl import rut as cl_rut
from stdnum.co import nit as co_nit
from stdnum.es import cif as es_cif
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.es import nif as es_nif
from stdnum.gb import vat as gb_vat
from stdnum.mx import curp as mx_curp
from stdnum.mx import rfc as mx_rfc
from stdnum.pe import cui as pe_cui
from stdnum.pe import ruc as pe_ruc
from stdnum.us import ein as us_ein
from stdnum.util import clean as stdnum_clean
from stdnum.util import isdigits

__all__ = [
    "DEMO_SEQ_LIMIT",
    "SUPPORTED_ID_TYPES",
    "SUPPORTED_TAX_ID_TYPES",
    "InvalidIdentifier",
    "NationalIdType",
    "TaxIdType",
    "demo_national_id",
    "demo_tax_id",
    "format_national_id",
    "format_tax_id",
    "is_company_id",
    "normalize_national_id",
    "normalize_tax_id",
]


class NationalIdType(models.TextChoices):
    """Identity document types. ``DNI`` is shared by ES, PE and AR: its rules depend on the country."""

    DNI = "DNI", _("DNI")
    NIE = "NIE", _("NIE")
    NIF = "NIF", _("NIF")
    CIF = "CIF", _("CIF")
    CC = "CC", _("Cédula de ciudadanía")
    CE = "CE", _("Cédula de extranjería")
    NIT = "NIT", _("NIT")
    RUC = "RUC", _("RUC")
    CURP = "CURP", _("CURP")
    RFC = "RFC", _("RFC")
    RUT = "RUT", _("RUT")
    CUIT = "CUIT", _("CUIT")
    CUIL = "CUIL", _("CUIL")


class TaxIdType(models.TextChoices):
    """Company tax id types, as returned by ``normalize_tax_id``."""

    CIF = "CIF", _("CIF")
    NIF = "NIF", _("NIF")
    NIT = "NIT", _("NIT")
    RUC = "RUC", _("RUC")
    RFC = "RFC", _("RFC")
    RUT = "RUT", _("RUT")
    CUIT = "CUIT", _("CUIT")
    EIN = "EIN", _("EIN (número de identificación del empleador, EE. UU.)")
    VAT = "VAT", _("Número de IVA (Reino Unido)")


SUPPORTED_ID_TYPES: dict[str, tuple[str, ...]] = {
    "ES": (NationalIdType.DNI, NationalIdType.NIE, NationalIdType.NIF, NationalIdType.CIF),
    "CO": (NationalIdType.CC, NationalIdType.CE, NationalIdType.NIT),
    "PE": (NationalIdType.DNI, NationalIdType.RUC),
    "MX": (NationalIdType.CURP, NationalIdType.RFC),
    "CL": (NationalIdType.RUT,),
    "AR": (NationalIdType.DNI, NationalIdType.CUIT, NationalIdType.CUIL),
}

SUPPORTED_TAX_ID_TYPES: dict[str, tuple[str, ...]] = {
    "ES": (TaxIdType.CIF, TaxIdType.NIF),
    "CO": (TaxIdType.NIT,),
    "PE": (TaxIdType.RUC,),
    "MX": (TaxIdType.RFC,),
    "CL": (TaxIdType.RUT,),
    "AR": (TaxIdType.CUIT,),
    "US": (TaxIdType.EIN,),
    "GB": (TaxIdType.VAT,),
}

DEMO_SEQ_LIMIT = 10_000_000
"""``demo_national_id``/``demo_tax_id`` return distinct values for every ``0 <= seq < DEMO_SEQ_LIMIT``."""


class InvalidIdentifier(ValueError):
    """An identifier that cannot be accepted; ``str()`` is a sentence fit for a form error.

    ``code`` is machine-readable: ``unsupported_country``, ``unsupported_type``, ``empty``,
    ``invalid_length``, ``invalid_format``, ``invalid_checksum`` or ``invalid_component``.
    """

    def __init__(self, message: str, *, code: str, country: str = "", id_type: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.country = country
        self.id_type = id_type

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------------------------
# Validation rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    validate: Callable[[str], str]
    """Takes the cleaned, upper-cased input; returns the canonical form or raises a stdnum error."""
    expected: str | Promise
    """What a valid number looks like, for length and format errors."""
    component: str | Promise = ""
    """Which part can be wrong, for ``InvalidComponent`` errors."""
    display: Callable[[str], str] | None = None
    company: Callable[[str], bool] | None = None


def _clean(number: str) -> str:
    """Drop whitespace of any kind, dots and dashes (stdnum maps Unicode dashes first)."""
    return stdnum_clean("".join(number.split()), ".-").upper()


def _pad_dni(number: str) -> str:
    """``1234567L`` → ``01234567L``: a DNI below 10 million is often written without its zero."""
    if len(number) == 8 and isdigits(number[:7]) and number[7].isalpha():
        return "0" + number
    return number


def _validate_es_dni(number: str) -> str:
    return es_dni.validate(_pad_dni(es_dni.compact(number)))


def _validate_es_nif(number: str) -> str:
    compact = es_nif.compact(number)
    if compact[:1].isdigit():
        compact = _pad_dni(compact)
    return es_nif.validate(compact)


def _validate_es_cif(number: str) -> str:
    # es.nif.compact also drops the "ES" of the VAT form (ESB64717838); a CIF's second
    # character is always a digit, so no real CIF starts with "ES".
    return es_cif.validate(es_nif.compact(number))


def _validate_co_cc(number: str) -> str:
    if not isdigits(number) or not number.strip("0"):
        raise stdnum_errors.InvalidFormat()
    number = number.lstrip("0")
    if not 3 <= len(number) <= 10:
        raise stdnum_errors.InvalidLength()
    return number


def _validate_co_ce(number: str) -> str:
    if not 3 <= len(number) <= 10:
        raise stdnum_errors.InvalidLength()
    if not (number.isascii() and number.isalnum()) or not any(c.isdigit() for c in number):
        raise stdnum_errors.InvalidFormat()
    return number


def _validate_pe_dni(number: str) -> str:
    return pe_cui.validate(number)[:8]


_CUIL_PREFIXES = ("20", "23", "24", "27")
_CUIT_COMPANY_PREFIXES = ("30", "33", "34")


def _validate_ar_cuil(number: str) -> str:
    number = ar_cuit.validate(number)
    if number[:2] not in _CUIL_PREFIXES:
        raise stdnum_errors.InvalidComponent()
    return number


def _format_co_cc(number: str) -> str:
    return f"{int(number):,}".replace(",", ".")


def _cif_is_company(number: str) -> bool:
    return True


def _nif_is_company(number: str) -> bool:
    return not number[0].isdigit() and number[0] not in "XYZKLM"


_RULES: dict[tuple[str, str], _Rule] = {
    ("ES", "DNI"): _Rule(_validate_es_dni, _("8 digits followed by a check letter")),
    ("ES", "NIE"): _Rule(es_nie.validate, _("X, Y or Z, 7 digits and a check letter")),
    ("ES", "NIF"): _Rule(
        _validate_es_nif,
        _("9 characters: a DNI, a NIE, a CIF or a K/L/M number"),
        company=_nif_is_company,
    ),
    ("ES", "CIF"): _Rule(
        _validate_es_cif,
        _("an organisation letter (A-W), 7 digits and a check digit or letter"),
        company=_cif_is_company,
    ),
    ("CO", "CC"): _Rule(_validate_co_cc, _("3 to 10 digits"), display=_format_co_cc),
    ("CO", "CE"): _Rule(
        _validate_co_ce, _("3 to 10 letters or digits, at least one of them a digit")
    ),
    ("CO", "NIT"): _Rule(
        co_nit.validate,
        _("8 to 16 digits, the last one being the check digit"),
        display=co_nit.format,
        # Legal entities are numbered 8xx.xxx.xxx / 9xx.xxx.xxx; a person's NIT is the cédula + DV.
        company=lambda n: len(n) == 10 and n[0] in "89",
    ),
    ("PE", "DNI"): _Rule(_validate_pe_dni, _("8 digits, optionally followed by the check digit")),
    ("PE", "RUC"): _Rule(
        pe_ruc.validate,
        _("11 digits"),
        component=_("the first two digits must be 10, 15, 17 or 20"),
        company=lambda n: n.startswith("20"),
    ),
    ("MX", "CURP"): _Rule(
        mx_curp.validate,
        _("18 characters: 4 letters, the birth date (YYMMDD), 6 letters and 2 characters"),
        component=_("the birth date, sex, state code or name letters are not valid"),
    ),
    ("MX", "RFC"): _Rule(
        mx_rfc.validate,
        _("12 characters for a company or 13 for a person (letters, a YYMMDD date, homoclave)"),
        component=_("the date is not valid or the name letters are not allowed"),
        display=mx_rfc.format,
        company=lambda n: len(n) == 12,
    ),
    ("CL", "RUT"): _Rule(
        cl_rut.validate,
        _("7 or 8 digits followed by a check digit (0-9 or K)"),
        display=cl_rut.format,
        # Companies were numbered from 50 million up; people's RUN are far below that.
        company=lambda n: int(n[:-1]) >= 50_000_000,
    ),
    ("AR", "DNI"): _Rule(ar_dni.validate, _("7 or 8 digits"), display=ar_dni.format),
    ("AR", "CUIT"): _Rule(
        ar_cuit.validate,
        _("11 digits"),
        component=_("the first two digits must be 20, 23, 24, 27, 30, 33, 34, 50, 51 or 55"),
        display=ar_cuit.format,
        company=lambda n: n[:2] in _CUIT_COMPANY_PREFIXES,
    ),
    ("AR", "CUIL"): _Rule(
        _validate_ar_cuil,
        _("11 digits"),
        component=_("the first two digits of a CUIL must be 20, 23, 24 or 27"),
        display=ar_cuit.format,
    ),
}

_TAX_RULES: dict[tuple[str, str], _Rule] = {
    ("US", "EIN"): _Rule(
        us_ein.validate,
        _("9 digits (NN-NNNNNNN)"),
        component=_("the first two digits are not an IRS campus prefix"),
        display=us_ein.format,
    ),
    ("GB", "VAT"): _Rule(
        gb_vat.validate,
        _("9 or 12 digits, or GD/HA followed by 3 digits"),
        component=_("GD numbers must be below 500 and HA numbers 500 or above"),
        display=gb_vat.format,
    ),
}

# Creditors are companies: the tax id type of each country (ES decides between CIF and NIF).
_TAX_ID_TYPE: dict[str, str] = {
    "CO": "NIT",
    "PE": "RUC",
    "MX": "RFC",
    "CL": "RUT",
    "AR": "CUIT",
    "US": "EIN",
    "GB": "VAT",
}


def _unsupported(country: str, id_type: str) -> InvalidIdentifier:
    if country not in SUPPORTED_ID_TYPES:
        return InvalidIdentifier(
            gettext(
                "National ids from country %(country)s are not supported (supported countries: %(supported)s)."
            )
            % {"country": country or "?", "supported": ", ".join(SUPPORTED_ID_TYPES)},
            code="unsupported_country",
            country=country,
            id_type=id_type,
        )
    return InvalidIdentifier(
        gettext("%(id_type)s is not an id type used in %(country)s (use one of: %(allowed)s).")
        % {
            "id_type": id_type or "?",
            "country": country,
            "allowed": ", ".join(SUPPORTED_ID_TYPES[country]),
        },
        code="unsupported_type",
        country=country,
        id_type=id_type,
    )


def _rule_for(country: str, id_type: str) -> _Rule:
    rule = _RULES.get((country, id_type))
    if rule is None:
        raise _unsupported(country, id_type)
    return rule


def _apply(rule: _Rule, *, country: str, id_type: str, number: str) -> str:
    if not isinstance(number, str):
        raise TypeError(f"number must be a str, not {type(number).__name__}")
    cleaned = _clean(number)
    params: dict[str, object] = {"id_type": id_type, "country": country, "expected": rule.expected}
    if not cleaned:
        raise InvalidIdentifier(
            gettext("The %(id_type)s for %(country)s is empty.") % params,
            code="empty",
            country=country,
            id_type=id_type,
        )
    try:
        return rule.validate(cleaned).upper()
    except stdnum_errors.InvalidLength:
        params["length"] = len(cleaned)
        message = gettext(
            "Invalid %(id_type)s for %(country)s: wrong length, %(length)d characters"
            " (expected %(expected)s)."
        )
        code = "invalid_length"
    except stdnum_errors.InvalidFormat:
        message = gettext(
            "Invalid %(id_type)s for %(country)s: wrong format or characters (expected %(expected)s)."
        )
        code = "invalid_format"
    except stdnum_errors.InvalidChecksum:
        message = gettext(
            "Invalid %(id_type)s for %(country)s: the check digit does not match (probably a typo)."
        )
        code = "invalid_checksum"
    except stdnum_errors.InvalidComponent:
        params["component"] = rule.component or gettext("one of its parts is not valid")
        message = gettext("Invalid %(id_type)s for %(country)s: %(component)s.")
        code = "invalid_component"
    except stdnum_errors.ValidationError:
        message = gettext("Invalid %(id_type)s for %(country)s (expected %(expected)s).")
        code = "invalid_format"
    raise InvalidIdentifier(message % params, code=code, country=country, id_type=id_type)


def normalize_national_id(*, country: str, id_type: str, number: str) -> str:
    """Validate ``number`` as an ``id_type`` of ``country`` and return its canonical compact form.

    The canonical form is upper-case without separators (``54.362.315-k`` → ``54362315K``).
    Raises ``InvalidIdentifier`` (a ``ValueError``) with the reason.
    """
    country, id_type = country.strip().upper(), id_type.strip().upper()
    return _apply(_rule_for(country, id_type), country=country, id_type=id_type, number=number)


def is_company_id(*, country: str, id_type: str, number: str, canonical: bool = False) -> bool:
    """Whether a (valid) id belongs to a legal entity rather than a person.

    CIF and letter-initial NIF (ES), NIT of 9 digits + DV starting with 8 or 9 (CO), RUC starting
    with 20 (PE), 12-character RFC (MX), RUT of 50 million or more (CL), CUIT starting with 30, 33
    or 34 (AR). Raises ``InvalidIdentifier`` if the number is not valid. ``canonical=True`` says
    ``number`` is what ``normalize_national_id`` returned, so it is not validated again.
    """
    country, id_type = country.strip().upper(), id_type.strip().upper()
    rule = _rule_for(country, id_type)
    if not canonical:
        number = _apply(rule, country=country, id_type=id_type, number=number)
    return rule.company is not None and rule.company(number)


def format_national_id(*, country: str, id_type: str, number: str) -> str:
    """The number as people write it (``12.531.909-2``, ``20-26756539-3``), for display.

    Uses stdnum's ``format`` where it has one, groups CO cédulas with dots, and falls back to the
    canonical form. Raises ``InvalidIdentifier`` if the number is not valid.
    """
    country, id_type = country.strip().upper(), id_type.strip().upper()
    rule = _rule_for(country, id_type)
    canonical = _apply(rule, country=country, id_type=id_type, number=number)
    return rule.display(canonical) if rule.display is not None else canonical


def _tax_rule(country: str, id_type: str) -> _Rule:
    return _TAX_RULES.get((country, id_type)) or _RULES[(country, id_type)]


def _unsupported_tax_country(country: str) -> InvalidIdentifier:
    return InvalidIdentifier(
        gettext(
            "Tax ids from country %(country)s are not supported (supported countries: %(supported)s)."
        )
        % {"country": country or "?", "supported": ", ".join(SUPPORTED_TAX_ID_TYPES)},
        code="unsupported_country",
        country=country,
    )


def _tax_id_type(country: str, number: str) -> str:
    if country == "ES":
        # A NIF starting with a digit (DNI), X/Y/Z (NIE) or K/L/M belongs to a person trading
        # in their own name; anything else must be a company CIF.
        head = es_nif.compact(_clean(number))[:1]
        return "NIF" if head and (head.isdigit() or head in "XYZKLM") else "CIF"
    id_type = _TAX_ID_TYPE.get(country)
    if id_type is None:
        raise _unsupported_tax_country(country)
    return id_type


def normalize_tax_id(*, country: str, number: str) -> tuple[str, str]:
    """A creditor's tax id: returns ``(id_type, canonical number)``.

    ES → CIF (NIF for a sole trader with a DNI/NIE-shaped number), CO → NIT, PE → RUC,
    MX → RFC, CL → RUT, AR → CUIT, US → EIN, GB → VAT. Raises ``InvalidIdentifier`` with the
    reason.
    """
    if not isinstance(number, str):
        raise TypeError(f"number must be a str, not {type(number).__name__}")
    country = country.strip().upper()
    id_type = _tax_id_type(country, number)
    return id_type, _apply(
        _tax_rule(country, id_type), country=country, id_type=id_type, number=number
    )


def format_tax_id(*, country: str, number: str) -> str:
    """A creditor's tax id as people write it; raises ``InvalidIdentifier`` if not valid."""
    id_type, canonical = normalize_tax_id(country=country, number=number)
    rule = _tax_rule(country.strip().upper(), id_type)
    return rule.display(canonical) if rule.display is not None else canonical


# --------------------------------------------------------------------------------------------
# Demo data generators: valid, canonical and distinct for 0 <= seq < DEMO_SEQ_LIMIT
# --------------------------------------------------------------------------------------------
#
# Each generator maps seq through an affine permutation ``(seq * MULT + ADD) % modulus`` (MULT is
# coprime with the modulus, so distinct seqs below the modulus give distinct values) or through
# a mixed-radix split whose parts are all recoverable from the output. Check digits come from
# stdnum's ``calc_check_digit``; nothing is validated in the hot path (the tests do that).

_MULT = 7_654_321  # coprime with 2, 3 and 5: a bijection modulo any 2^a·3^b·5^c.


def _shuffle(seq: int, modulus: int, add: int) -> int:
    return (seq * _MULT + add) % modulus


def _demo_es_dni(seq: int) -> str:
    body = f"{_shuffle(seq, 50_000_000, 3_141_592):08d}"  # 00000000-49999999
    return body + es_dni.calc_check_digit(body)


def _demo_es_nif(seq: int) -> str:
    body = f"{50_000_000 + _shuffle(seq, 50_000_000, 2_718_281):08d}"  # 50000000-99999999: no DNI overlap
    return body + es_dni.calc_check_digit(body)


def _demo_es_nie(seq: int) -> str:
    body = "XYZ"[seq % 3] + f"{_shuffle(seq // 3, 10_000_000, 1_618_033):07d}"
    return body + es_nie.calc_check_digit(body)


def _demo_es_cif(seq: int, add: int = 14_142) -> str:
    rest, letter = divmod(seq, 2)
    rest, province = divmod(rest, 52)  # rest < 96,154
    body = f"{'AB'[letter]}{province + 1:02d}{_shuffle(rest, 100_000, add):05d}"
    return body + es_cif.calc_check_digits(body)[0]  # A (S.A.) and B (S.L.) use the digit


def _demo_co_cc(seq: int) -> str:
    return str(1_000_000_000 + _shuffle(seq, 100_000_000, 17_320_508))


def _demo_co_ce(seq: int) -> str:
    return str(1_000_000 + _shuffle(seq, 10_000_000, 2_236_067))


def _demo_co_nit(seq: int, add: int = 22_360_679) -> str:
    body = str(800_000_000 + _shuffle(seq, 200_000_000, add))
    return body + co_nit.calc_check_digit(body)


def _demo_pe_dni(seq: int) -> str:
    return f"{_shuffle(seq, 100_000_000, 24_494_897):08d}"


def _demo_pe_ruc_person(seq: int) -> str:
    body = "10" + _demo_pe_dni(seq)
    return body + pe_ruc.calc_check_digit(body)


def _demo_pe_ruc_company(seq: int) -> str:
    body = f"20{_shuffle(seq, 100_000_000, 26_457_513):08d}"
    return body + pe_ruc.calc_check_digit(body)


# CURP/RFC: name letters and a date, built so that the first 10 characters identify seq.
_NAME_INITIALS = "ABCDEFGHIJLMNOPRSTVZ"  # 20 common initials
_NAME_VOWELS = "AEIOU"
_CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ"
_MX_STATES = (
    "AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC", "MN",
    "MS", "NT", "NL", "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS",
)  # fmt: skip
_HOMOCLAVE_1 = "123456789ABCDEFGHIJKLMNPQRSTUV"  # stdnum: [1-9A-V]
_HOMOCLAVE_2 = "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"  # stdnum: [1-9A-Z]
# RENAPO/SAT replace the second letter with X when the four letters spell one of these words.
_INCONVENIENT_WORDS = frozenset({
    "BACA", "BAKA", "BUEI", "BUEY", "CACA", "CACO", "CAGA", "CAGO", "CAKA", "CAKO", "COGE", "COGI",
    "COJA", "COJE", "COJI", "COJO", "COLA", "CULO", "FALO", "FETO", "GETA", "GUEI", "GUEY", "JETA",
    "JOTO", "KACA", "KACO", "KAGA", "KAGO", "KAKA", "KAKO", "KOGE", "KOGI", "KOJA", "KOJE", "KOJI",
    "KOJO", "KOLA", "KULO", "LILO", "LOCA", "LOCO", "LOKA", "LOKO", "MAME", "MAMO", "MEAR", "MEAS",
    "MEON", "MIAR", "MION", "MOCO", "MOKO", "MULA", "MULO", "NACA", "NACO", "PEDA", "PEDO", "PENE",
    "PIPI", "PITO", "POPO", "PUTA", "PUTO", "QULO", "RATA", "ROBA", "ROBE", "ROBO", "RUIN", "SENO",
    "TETA", "VACA", "VAGA", "VAGO", "VAKA", "VUEI", "VUEY", "WUEI", "WUEY",
})  # fmt: skip
_PERSON_DAY_SLOTS = 73  # 250 name blocks x 73 days = 18,250 birth dates from 1950-01-01
_COMPANY_DAY_SLOTS = 32  # 569 name blocks x 32 days = 18,208 incorporation dates from 1970-01-01


@functools.cache
def _yymmdd_from(year: int, count: int) -> tuple[str, ...]:
    start = datetime.date(year, 1, 1)
    return tuple((start + datetime.timedelta(days=i)).strftime("%y%m%d") for i in range(count))


def _mix(seq: int) -> int:
    """A cheap 32-bit hash of seq, for the parts of a number that need not be unique."""
    return (seq * 2_654_435_761 + 0x9E3779B9) & 0xFFFFFFFF


def _mx_person_head(seq: int) -> str:
    """4 name letters + YYMMDD birth date (1950-1999): distinct for every seq < 10^7."""
    s = _shuffle(seq, 10_000_000, 3_162_277)
    s, i1 = divmod(s, 20)
    s, vowel = divmod(s, 5)
    s, i3 = divmod(s, 20)
    block, i4 = divmod(s, 20)  # block < 250
    name = _NAME_INITIALS[i1] + _NAME_VOWELS[vowel] + _NAME_INITIALS[i3] + _NAME_INITIALS[i4]
    if name in _INCONVENIENT_WORDS:
        name = name[0] + "X" + name[2:]
    day = block * _PERSON_DAY_SLOTS + (i1 + 3 * i3 + 7 * i4 + vowel) % _PERSON_DAY_SLOTS
    return name + _yymmdd_from(1950, 250 * _PERSON_DAY_SLOTS)[day]


def _demo_mx_curp(seq: int) -> str:
    h = _mix(seq)
    body = (
        _mx_person_head(seq)
        + "HM"[h & 1]
        + _MX_STATES[(h >> 1) % 32]
        + _CONSONANTS[(h >> 6) % 21]
        + _CONSONANTS[(h >> 11) % 21]
        + _CONSONANTS[(h >> 16) % 21]
        + str((h >> 21) % 10)  # homoclave: a digit for people born before 2000
    )
    return body + mx_curp.calc_check_digit(body)


def _demo_mx_rfc_person(seq: int) -> str:
    h = _mix(seq)
    body = _mx_person_head(seq) + _HOMOCLAVE_1[(h >> 3) % 30] + _HOMOCLAVE_2[(h >> 9) % 34]
    return body + mx_rfc.calc_check_digit(body)


def _demo_mx_rfc_company(seq: int) -> str:
    s = _shuffle(seq, 10_000_000, 4_123_105)
    s, l1 = divmod(s, 26)
    s, l2 = divmod(s, 26)
    block, l3 = divmod(s, 26)  # block < 569
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    day = block * _COMPANY_DAY_SLOTS + (l1 + l2 + l3) % _COMPANY_DAY_SLOTS
    h = _mix(seq)
    body = (
        letters[l1]
        + letters[l2]
        + letters[l3]
        + _yymmdd_from(1970, 569 * _COMPANY_DAY_SLOTS)[day]
        + _HOMOCLAVE_1[(h >> 3) % 30]
        + _HOMOCLAVE_2[(h >> 9) % 34]
    )
    return body + mx_rfc.calc_check_digit(body)


def _demo_cl_rut_person(seq: int) -> str:
    body = str(10_000_000 + _shuffle(seq, 10_000_000, 4_358_898))  # RUN 10-20 million
    return body + cl_rut.calc_check_digit(body)


def _demo_cl_rut_company(seq: int) -> str:
    body = str(76_000_000 + _shuffle(seq, 10_000_000, 4_472_135))  # companies: 76-86 million
    return body + cl_rut.calc_check_digit(body)


def _demo_ar_dni(seq: int) -> str:
    return str(10_000_000 + _shuffle(seq, 30_000_000, 4_582_575))  # 10-40 million


def _demo_ar_cuil(seq: int) -> str:
    body = ("20", "27")[_mix(seq) & 1] + _demo_ar_dni(seq)  # the CUIL embeds the person's DNI
    return body + ar_cuit.calc_check_digit(body)


def _demo_ar_cuit_person(seq: int) -> str:
    # DNIs 40-50 million: never equal to a demo CUIL, which uses 10-40 million.
    body = ("20", "27")[_mix(seq) & 1] + str(40_000_000 + _shuffle(seq, 10_000_000, 4_690_415))
    return body + ar_cuit.calc_check_digit(body)


def _demo_ar_cuit_company(seq: int) -> str:
    body = "30" + str(50_000_000 + _shuffle(seq, 10_000_000, 4_795_831))
    return body + ar_cuit.calc_check_digit(body)


_EIN_PREFIXES = ("10", "12", "20", "27", "30", "33", "35", "45", "46", "61", "91", "94")


def _demo_us_ein(seq: int) -> str:
    rest, prefix = divmod(seq, len(_EIN_PREFIXES))
    return _EIN_PREFIXES[prefix] + f"{_shuffle(rest, 10_000_000, 4_898_979):07d}"


_GB_VAT_WEIGHTS = (8, 7, 6, 5, 4, 3, 2)


def _demo_gb_vat(seq: int) -> str:
    rest, variant = divmod(seq, 2)
    head = str(1_000_000 + _shuffle(rest, 9_000_000, 5_000_000))  # 7 digits, >= 100xxxx
    # Weighted sum + the two final digits must be 0 (mod-97) or 55 (mod-9755) modulo 97. stdnum
    # only exposes the total (``checksum``), so the missing two digits are solved against it.
    partial = gb_vat.checksum(head + "00")
    return head + f"{((0, 55)[variant] - partial) % 97:02d}"


_DEMO_NATIONAL: dict[tuple[str, str], Callable[[int], str]] = {
    ("ES", "DNI"): _demo_es_dni,
    ("ES", "NIE"): _demo_es_nie,
    ("ES", "NIF"): _demo_es_nif,
    ("ES", "CIF"): _demo_es_cif,
    ("CO", "CC"): _demo_co_cc,
    ("CO", "CE"): _demo_co_ce,
    ("CO", "NIT"): _demo_co_nit,
    ("PE", "DNI"): _demo_pe_dni,
    ("PE", "RUC"): _demo_pe_ruc_person,
    ("MX", "CURP"): _demo_mx_curp,
    ("MX", "RFC"): _demo_mx_rfc_person,
    ("CL", "RUT"): _demo_cl_rut_person,
    ("AR", "DNI"): _demo_ar_dni,
    ("AR", "CUIT"): _demo_ar_cuit_person,
    ("AR", "CUIL"): _demo_ar_cuil,
}

_DEMO_TAX: dict[str, Callable[[int], str]] = {
    "ES": functools.partial(_demo_es_cif, add=86_602),
    "CO": functools.partial(_demo_co_nit, add=55_555_555),
    "PE": _demo_pe_ruc_company,
    "MX": _demo_mx_rfc_company,
    "CL": _demo_cl_rut_company,
    "AR": _demo_ar_cuit_company,
    "US": _demo_us_ein,
    "GB": _demo_gb_vat,
}


def _check_seq(seq: int) -> None:
    if not 0 <= seq < DEMO_SEQ_LIMIT:
        raise ValueError(f"seq must be in 0..{DEMO_SEQ_LIMIT - 1}, got {seq}")


def demo_national_id(*, country: str, id_type: str, seq: int) -> str:
    """A valid, canonical ``id_type`` number of ``country``, the same for the same ``seq``.

    Distinct for distinct ``seq`` in ``0 <= seq < DEMO_SEQ_LIMIT`` (ValueError outside it).
    People's numbers look like people's (RUC 10…, CUIT 20/27…, 13-character RFC); ES NIF and AR
    CUIT never collide with ES DNI and AR CUIL demo numbers.
    """
    country, id_type = country.strip().upper(), id_type.strip().upper()
    generator = _DEMO_NATIONAL.get((country, id_type))
    if generator is None:
        raise _unsupported(country, id_type)
    _check_seq(seq)
    return generator(seq)


def demo_tax_id(*, country: str, seq: int) -> str:
    """A valid, canonical company tax id of ``country`` (the type ``normalize_tax_id`` returns).

    ES: a CIF of an S.A. or S.L. (A…/B…), CO: NIT 8xx/9xx, PE: RUC 20…, MX: 12-character RFC, CL: RUT of
    76-86 million, AR: CUIT 30…, US: EIN, GB: VAT. Distinct for distinct ``seq`` below
    ``DEMO_SEQ_LIMIT``.
    """
    country = country.strip().upper()
    generator = _DEMO_TAX.get(country)
    if generator is None:
        raise _unsupported_tax_country(country)
    _check_seq(seq)
    return generator(seq)
