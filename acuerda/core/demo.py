"""``acuerda demo``: a believable collection agency, deterministic from a seed.

Two parts:

* **The structure**, created through the real services so every rule is checked: creditors in
  Spain, Colombia, Peru and Mexico (banks, telcos, a utility, consumer finance, retail), their
  portfolios (one under the Canary Islands' jurisdiction, ``ES-CN``) with a commission for every
  delinquency bucket, three teams and one user per role with a printed demo password.
* **The bulk**: debtors, contact points, consents, accounts, co-debtors and guarantors, ledger
  entries and the accounts' timelines. A million accounts are about eight million rows, far
  too many for a save() (or even a ``bulk_create``) per row, so rows are generated as plain
  tuples and written in batches: ``executemany`` on SQLite, ``COPY FROM STDIN`` on PostgreSQL,
  with primary keys assigned here so foreign keys need no round trip.

The bulk rows satisfy every invariant the services keep (tests check it): each account's
balance columns equal the sum of its ledger entries per component, payments are split with
``allocate`` in the creditor's order and never overdraw, an account paid to zero is ``paid``
(``settled`` after a discount) with the ``status_changed`` event ``_follow_balance`` writes,
every account has its ``placed`` event and every entry its ``ledger_posted`` event carrying the
entry summary, national ids and phone numbers are valid (``demo_national_id`` / ``demo_phone``,
distinct sequence numbers), and addresses carry a real ISO 3166-2 region where the holidays
library knows the country's subdivisions (Spain).

Texts follow the services' convention: what the system writes itself is stored as the
untranslated message id ("Vulnerability flag set", "Opt-out recorded") and translated when shown;
what people would type (payment memos, reasons for a status change, consent evidence) is Spanish.

Everything derives from ``seed`` and ``today``: the same seed, size and date give the same data,
timestamps included (spread over the days before ``today``; the structure's ``created_at`` and
``date_joined`` are backdated the same way).

Loading is one transaction: an error or Ctrl-C leaves the database as it was. During the load
the bulk tables' plain indexes (and on PostgreSQL their foreign keys) are dropped and rebuilt at
the end, which takes table locks until commit: load a demo into a database nobody is using.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import math
import random
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model, password_validation
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from acuerda.core.bulk import indexes_rebuilt_after
from acuerda.core.regions import subdivisions
from acuerda.creditors.buckets import DelinquencyBuckets
from acuerda.debtors.identifiers import DEMO_SEQ_LIMIT, demo_national_id, demo_tax_id
from acuerda.debtors.phones import demo_phone, parse_phone
from acuerda.debts.allocation import allocate

__all__ = [
    "DEFAULT_ACCOUNTS",
    "DEFAULT_SEED",
    "DEMO_CREDITOR_CODES",
    "DEMO_USERS",
    "DemoError",
    "DemoReport",
    "DemoUser",
    "build_demo",
    "demo_database_state",
]

DEFAULT_ACCOUNTS = 2000
DEFAULT_SEED = 42
MAX_ACCOUNTS = 5_000_000
"""Above this the demo id ranges (``DEMO_SEQ_LIMIT``) could run out for the largest country."""


class DemoError(Exception):
    """The demo cannot be built in this database; ``str()`` says why and what to do instead."""


# =============================================================================================
# The structure: creditors, portfolios, teams and users
# =============================================================================================


@dataclass(frozen=True)
class _PortfolioSpec:
    name: str
    days_ago: int
    jurisdiction: str
    weight: float


@dataclass(frozen=True)
class _CreditorSpec:
    code: str
    legal_name: str
    short_name: str
    country: str
    sector: str
    weight: float
    ref_prefix: str
    portfolios: tuple[_PortfolioSpec, ...]
    bucket_edges: tuple[int, ...] = (1, 31, 61, 91, 181, 361)


_P = _PortfolioSpec
CREDITORS: tuple[_CreditorSpec, ...] = (
    _CreditorSpec(
        "banco-iberico", "Banco Ibérico de Crédito, S.A.", "Banco Ibérico", "ES", "banking", 0.45, "BIC",
        (_P("Préstamos y tarjetas", 200, "ES", 0.5), _P("Descubiertos y tarjetas", 90, "ES", 0.35),
         _P("Cartera Canarias", 60, "ES-CN", 0.15)),
    ),
    _CreditorSpec(
        "ondas-telecom", "Ondas Telecomunicaciones, S.L.", "Ondas Telecom", "ES", "telecom", 0.35, "OND",
        (_P("Impagados fijo y móvil", 120, "ES", 0.6), _P("Impagados convergente", 30, "ES", 0.4)),
    ),
    _CreditorSpec(
        "energia-levante", "Energía del Levante, S.A.", "Energía del Levante", "ES", "utilities", 0.20, "EDL",
        (_P("Suministros impagados", 150, "ES", 1.0),),
    ),
    _CreditorSpec(
        "banco-andino", "Banco Andino de Colombia S.A.", "Banco Andino", "CO", "banking", 0.6, "BAC",
        (_P("Consumo y tarjetas", 240, "CO", 0.55), _P("Libranzas y vehículos", 75, "CO", 0.45)),
    ),
    _CreditorSpec(
        "conecta-movil", "Conecta Móvil Colombia S.A.S.", "Conecta Móvil", "CO", "telecom", 0.4, "CNC",
        (_P("Pospago en mora", 100, "CO", 1.0),),
    ),
    _CreditorSpec(
        "financiera-inca", "Financiera Inca S.A.", "Financiera Inca", "PE", "consumer_finance", 0.65, "FIN",
        (_P("Créditos de consumo", 160, "PE", 0.6), _P("Tarjetas de crédito", 40, "PE", 0.4)),
    ),
    _CreditorSpec(
        # Peru's SBS risk categories: normal, CPP (9-30 days), deficiente, dudoso, pérdida.
        "caja-pacifico", "Caja Municipal del Pacífico S.A.", "Caja Pacífico", "PE", "banking", 0.35, "CMP",
        (_P("Microcréditos y consumo", 110, "PE", 1.0),), (1, 9, 31, 61, 121, 361),
    ),
    _CreditorSpec(
        "telecom-azteca", "Telecomunicaciones Azteca, S.A. de C.V.", "Telecom Azteca", "MX", "telecom", 0.55, "TAZ",
        (_P("Planes pospago", 210, "MX", 0.5), _P("Equipos financiados", 80, "MX", 0.5)),
    ),
    _CreditorSpec(
        "tiendas-sol", "Tiendas del Sol, S.A. de C.V.", "Tiendas del Sol", "MX", "retail", 0.45, "TDS",
        (_P("Crédito departamental", 130, "MX", 1.0),),
    ),
)  # fmt: skip
DEMO_CREDITOR_CODES = frozenset(c.code for c in CREDITORS)

TEAMS: dict[str, tuple[str, ...]] = {
    "Equipo España": ("ES",),
    "Equipo Andes": ("CO", "PE"),
    "Equipo México": ("MX",),
}

# Agency commission (%) by bucket position: the older the debt, the higher the fee.
_COMMISSION_BY_SECTOR = {
    "banking": (4, 8, 10, 12, 15, 20, 25),
    "consumer_finance": (5, 9, 12, 14, 18, 22, 28),
    "telecom": (6, 10, 12, 15, 18, 22, 30),
    "utilities": (5, 8, 10, 12, 15, 20, 25),
    "retail": (6, 10, 13, 15, 18, 24, 30),
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str
    sees: str
    team: str = ""
    creditor_code: str = ""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Acuerda-Demo-Admin-2026", "admin", "Álvaro", "Navarro Gil",
             "Everything: all creditors and portfolios; configures creditors, teams and users."),
    DemoUser("supervisor", "Acuerda-Demo-Supervisor-2026", "supervisor", "Marta", "Ruiz Ortega",
             "Equipo España: the Spanish portfolios and the team's agents.", team="Equipo España"),
    DemoUser("agente", "Acuerda-Demo-Agente-2026", "agent", "Javier", "Moreno Sáez",
             "Equipo España: the Spanish portfolios (discounts up to 15 %, 6 instalments).",
             team="Equipo España"),
    DemoUser("agente.mx", "Acuerda-Demo-AgenteMX-2026", "agent", "Guadalupe", "Hernández Ríos",
             "Equipo México: the Mexican portfolios (discounts up to 20 %, 12 instalments).",
             team="Equipo México"),
    DemoUser("cumplimiento", "Acuerda-Demo-Cumplimiento-2026", "compliance", "Elena", "Campos Vidal",
             "Everything, read-only; the access log, the contact-rule simulator and readings, subject access and erasure."),
    DemoUser("mandante", "Acuerda-Demo-Mandante-2026", "creditor", "Pablo", "Serrano Prieto",
             "Only Banco Ibérico's portfolios, read-only.", creditor_code="banco-iberico"),
)  # fmt: skip

_AUTHORITY: dict[str, dict[str, Any]] = {
    "agente": {
        "max_discount_percent": Decimal("15.00"), "max_instalments": 6, "min_instalment": {"EUR": "30.00"},
        "skill_buckets": ["current", "1-30", "31-60", "61-90"], "skill_sectors": ["banking", "telecom"],
        "languages": ["es", "en"],
    },
    "agente.mx": {
        "max_discount_percent": Decimal("20.00"), "max_instalments": 12, "min_instalment": {"MXN": "500.00"},
        "skill_buckets": ["91-180", "181-360", "361+"], "skill_sectors": ["telecom", "retail"],
        "languages": ["es"],
    },
}  # fmt: skip


# =============================================================================================
# Local colour: names, places, products, amounts
# =============================================================================================


@dataclass(frozen=True)
class _City:
    name: str
    region: str  # ISO 3166-2 subdivision (without the country), "" where unknown
    postal: tuple[int, int]  # inclusive range of postal codes
    tz: str


@dataclass(frozen=True)
class _Country:
    code: str
    currency: str
    fx: int  # units of the currency per euro, roughly
    round_cents: int  # amounts are multiples of this many cents
    weight: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    cities: tuple[_City, ...]
    city_weights: tuple[float, ...]
    streets: tuple[str, ...]
    email_domains: tuple[str, ...]
    company_tld: str
    legal_forms: tuple[str, ...]
    postal_digits: int
    first_hour_utc: int  # business hours start, in UTC
    payment_memos: tuple[str, ...]
    legal_reason: str


def _split(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


_ES_CITIES = (
    _City("Madrid", "MD", (28001, 28080), "Europe/Madrid"),
    _City("Barcelona", "CT", (8001, 8042), "Europe/Madrid"),
    _City("Valencia", "VC", (46001, 46026), "Europe/Madrid"),
    _City("Sevilla", "AN", (41001, 41020), "Europe/Madrid"),
    _City("Málaga", "AN", (29001, 29018), "Europe/Madrid"),
    _City("Zaragoza", "AR", (50001, 50022), "Europe/Madrid"),
    _City("Bilbao", "PV", (48001, 48015), "Europe/Madrid"),
    _City("Murcia", "MC", (30001, 30012), "Europe/Madrid"),
    _City("Palma", "IB", (7001, 7015), "Europe/Madrid"),
    _City("Valladolid", "CL", (47001, 47016), "Europe/Madrid"),
    _City("Vigo", "GA", (36201, 36216), "Europe/Madrid"),
    _City("A Coruña", "GA", (15001, 15011), "Europe/Madrid"),
    _City("Gijón", "AS", (33201, 33213), "Europe/Madrid"),
    _City("Alicante", "VC", (3001, 3016), "Europe/Madrid"),
    _City("Córdoba", "AN", (14001, 14014), "Europe/Madrid"),
    _City("Granada", "AN", (18001, 18015), "Europe/Madrid"),
    _City("Pamplona", "NC", (31001, 31016), "Europe/Madrid"),
    _City("Santander", "CB", (39001, 39012), "Europe/Madrid"),
    _City("Logroño", "RI", (26001, 26009), "Europe/Madrid"),
    _City("Badajoz", "EX", (6001, 6011), "Europe/Madrid"),
    _City("Toledo", "CM", (45001, 45008), "Europe/Madrid"),
    _City("Ceuta", "CE", (51001, 51005), "Africa/Ceuta"),
    _City("Melilla", "ML", (52001, 52006), "Africa/Ceuta"),
)
_CANARY_CITIES = (
    _City("Las Palmas de Gran Canaria", "CN", (35001, 35019), "Atlantic/Canary"),
    _City("Santa Cruz de Tenerife", "CN", (38001, 38010), "Atlantic/Canary"),
    _City("San Cristóbal de La Laguna", "CN", (38200, 38208), "Atlantic/Canary"),
    _City("Arrecife", "CN", (35500, 35509), "Atlantic/Canary"),
)

COUNTRIES: dict[str, _Country] = {
    "ES": _Country(
        "ES", "EUR", 1, 1, 0.40,
        _split("María, Carmen, Lucía, Ana, Laura, Isabel, Marta, Cristina, Paula, Elena, Sara, Pilar, Raquel, "
               "Nuria, Rocío, Silvia, Beatriz, Patricia, Alba, Sofía, Julia, Irene, Teresa, Rosa, Inmaculada, "
               "Montserrat, Concepción, Mercedes, Noelia, Andrea"),
        _split("Antonio, José, Manuel, Francisco, David, Juan, Javier, Daniel, Carlos, Jesús, Alejandro, Miguel, "
               "Rafael, Pablo, Pedro, Ángel, Sergio, Fernando, Jorge, Luis, Alberto, Álvaro, Adrián, Diego, "
               "Raúl, Enrique, Ramón, Iván, Rubén, Óscar"),
        _split("García, Rodríguez, González, Fernández, López, Martínez, Sánchez, Pérez, Gómez, Martín, Jiménez, "
               "Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Alonso, Gutiérrez, Navarro, Torres, "
               "Domínguez, Vázquez, Ramos, Gil, Ramírez, Serrano, Blanco, Molina, Morales, Suárez, Ortega, "
               "Delgado, Castro, Ortiz, Rubio, Marín, Sanz, Núñez, Iglesias, Medina, Garrido, Cortés, Castillo, "
               "Santos, Lozano, Guerrero, Cano, Prieto, Méndez, Cruz, Calvo, Gallego, Vidal, León, Herrera, "
               "Márquez, Peña, Cabrera, Flores, Campos, Vega, Fuentes, Carrasco, Diez, Caballero, Reyes, Nieto, "
               "Aguilar, Pascual, Santana, Herrero, Montero, Lorenzo, Hidalgo, Giménez, Ibáñez, Ferrer, Durán"),
        _ES_CITIES,
        (22, 12, 8, 6, 4, 5, 4, 3, 3, 3, 2, 2, 2, 3, 2, 2, 2, 2, 1, 1, 1, 0.5, 0.5),
        _split("Calle Mayor, Calle Real, Avenida de la Constitución, Calle de Alcalá, Gran Vía, Calle del Carmen, "
               "Avenida de Andalucía, Calle San Francisco, Calle Nueva, Plaza de España, Calle de la Iglesia, "
               "Avenida de América, Calle Luis Vives, Calle del Sol, Avenida de Europa, Calle Cervantes, "
               "Calle Colón, Paseo del Prado, Calle Velázquez, Avenida de la Libertad, Calle Goya, Ronda Sur, "
               "Calle Doctor Fleming, Calle Hernán Cortés, Avenida del Mediterráneo, Calle Rosalía de Castro"),
        ("gmail.com", "hotmail.com", "yahoo.es", "outlook.es", "telefonica.net", "icloud.com"),
        "es", (", S.L.", ", S.A.", ", S.L.U.", ", S.Coop."), 5, 7,
        ("Transferencia bancaria", "Pago con tarjeta en la pasarela", "Bizum", "Domiciliación SEPA",
         "Ingreso en cuenta"),
        "Demanda de proceso monitorio presentada en el juzgado",
    ),
    "CO": _Country(
        "CO", "COP", 4300, 10_000, 0.25,
        _split("María Fernanda, Diana Marcela, Luz Marina, Paola Andrea, Yuliana, Sandra Milena, Claudia Patricia, "
               "Ana María, Laura Sofía, Valentina, Martha Lucía, Gloria, Adriana, Natalia, Carolina, Angélica, "
               "Leidy Johana, Marisol, Catalina, Daniela"),
        _split("Andrés Felipe, Juan Carlos, Luis Fernando, Jhon Jairo, Carlos Alberto, Jorge Enrique, José Luis, "
               "Wilson, Diego Alejandro, Juan Pablo, Óscar Iván, Julián, Camilo, Sebastián, Édgar, Hernán, "
               "Fabián, Nelson, Mauricio, Santiago"),
        _split("Rodríguez, Gómez, González, Martínez, García, López, Hernández, Sánchez, Ramírez, Pérez, Díaz, "
               "Muñoz, Rojas, Moreno, Jiménez, Vargas, Castro, Gutiérrez, Ortiz, Restrepo, Cardona, Ospina, "
               "Zapata, Giraldo, Valencia, Quintero, Mejía, Arango, Osorio, Correa, Álvarez, Torres, Ruiz, "
               "Suárez, Mendoza, Castaño, Salazar, Londoño, Betancur, Henao, Agudelo, Montoya, Rincón, Parra, "
               "Pineda, Bermúdez, Cárdenas, Guerrero, Patiño, Villegas"),
        (
            _City("Bogotá D.C.", "", (110111, 111831), "America/Bogota"),
            _City("Medellín", "", (50001, 50036), "America/Bogota"),
            _City("Cali", "", (760001, 760046), "America/Bogota"),
            _City("Barranquilla", "", (80001, 80020), "America/Bogota"),
            _City("Cartagena de Indias", "", (130001, 130015), "America/Bogota"),
            _City("Bucaramanga", "", (680001, 680011), "America/Bogota"),
            _City("Pereira", "", (660001, 660009), "America/Bogota"),
            _City("Manizales", "", (170001, 170009), "America/Bogota"),
        ),
        (40, 18, 12, 9, 6, 6, 5, 4),
        ("Calle", "Carrera", "Avenida Calle", "Avenida Carrera", "Diagonal", "Transversal"),
        ("gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "yahoo.es"),
        "com.co", (" S.A.S.", " Ltda.", " S.A."), 6, 13,
        ("Pago en corresponsal bancario", "Transferencia PSE", "Pago en oficina del banco",
         "Pago con tarjeta en línea", "Consignación bancaria"),
        "Proceso ejecutivo radicado ante el juzgado civil",
    ),
    "PE": _Country(
        "PE", "PEN", 4, 1, 0.15,
        _split("Rosa, María, Carmen, Luz, Milagros, Yesenia, Flor, Gladys, Elizabeth, Juana, Ana Lucía, Giovanna, "
               "Karina, Lizbeth, Fiorella, Jackeline, Maribel, Nancy, Roxana, Vanessa"),
        _split("José, Luis, Carlos, Jorge, Miguel, Juan, Víctor, César, Julio, Pedro, Manuel, Edwin, Wilmer, "
               "Freddy, Raúl, Alex, Percy, Richard, Segundo, Walter"),
        _split("Quispe, Flores, Sánchez, Rodríguez, García, Rojas, Huamán, Mamani, Chávez, Vásquez, Ramírez, "
               "Torres, Mendoza, Castillo, Díaz, Espinoza, Vargas, Condori, Gutiérrez, Cruz, Pérez, Ramos, "
               "Huanca, Apaza, Ticona, Paredes, Salazar, Romero, Córdova, Ccori, Mejía, Palomino, Cárdenas, "
               "Gonzales, Ruiz, Aguilar, Medina, Luna, Herrera, Tapia"),
        (
            _City("Lima", "", (15001, 15594), "America/Lima"),
            _City("Arequipa", "", (4001, 4017), "America/Lima"),
            _City("Trujillo", "", (13001, 13011), "America/Lima"),
            _City("Chiclayo", "", (14001, 14013), "America/Lima"),
            _City("Piura", "", (20001, 20009), "America/Lima"),
            _City("Cusco", "", (8001, 8007), "America/Lima"),
            _City("Huancayo", "", (12001, 12007), "America/Lima"),
        ),
        (55, 12, 9, 7, 6, 6, 5),
        _split("Av. Arequipa, Jr. de la Unión, Av. Javier Prado, Calle Los Olivos, Av. Brasil, Jr. Huallaga, "
               "Av. La Marina, Calle Las Begonias, Av. Grau, Jr. Junín, Av. Túpac Amaru, Calle Los Pinos, "
               "Av. Angamos, Jr. Ayacucho, Av. Ejército"),
        ("gmail.com", "hotmail.com", "outlook.com", "yahoo.es", "yahoo.com"),
        "com.pe", (" S.A.C.", " E.I.R.L.", " S.R.L.", " S.A."), 5, 13,
        ("Pago en agente bancario", "Transferencia interbancaria", "Yape", "Pago en ventanilla",
         "Pago con tarjeta en línea"),
        "Demanda de obligación de dar suma de dinero presentada",
    ),
    "MX": _Country(
        "MX", "MXN", 20, 1, 0.20,
        _split("Guadalupe, María Guadalupe, Verónica, Alejandra, Ximena, Fernanda, Leticia, Patricia, Rocío, "
               "Adriana, Gabriela, Norma, Claudia, Brenda, Araceli, Yolanda, Mariana, Daniela, Itzel, Lorena"),
        _split("José Luis, Juan, Miguel Ángel, Francisco, Alejandro, Jesús, Jorge, Luis Enrique, Eduardo, "
               "Ricardo, Arturo, Héctor, Roberto, Fernando, Raúl, Sergio, Javier, Óscar, Emiliano, Rodrigo"),
        _split("Hernández, García, Martínez, López, González, Pérez, Rodríguez, Sánchez, Ramírez, Cruz, Flores, "
               "Gómez, Morales, Vázquez, Reyes, Jiménez, Torres, Díaz, Gutiérrez, Ruiz, Mendoza, Aguilar, Ortiz, "
               "Moreno, Castillo, Romero, Álvarez, Méndez, Chávez, Rivera, Juárez, Ramos, Domínguez, Herrera, "
               "Medina, Castro, Vargas, Guzmán, Velázquez, Rojas, Contreras, Salazar, Luna, Ortega, Santiago, "
               "Guerrero, Bautista, Estrada, Cortés, Soto"),
        (
            _City("Ciudad de México", "", (1000, 16999), "America/Mexico_City"),
            _City("Guadalajara", "", (44100, 44990), "America/Mexico_City"),
            _City("Monterrey", "", (64000, 64990), "America/Monterrey"),
            _City("Puebla", "", (72000, 72590), "America/Mexico_City"),
            _City("Querétaro", "", (76000, 76250), "America/Mexico_City"),
            _City("León", "", (37000, 37690), "America/Mexico_City"),
            _City("Mérida", "", (97000, 97390), "America/Merida"),
            _City("Cancún", "", (77500, 77539), "America/Cancun"),
            _City("Tijuana", "", (22000, 22730), "America/Tijuana"),
        ),
        (32, 14, 13, 9, 6, 7, 6, 6, 7),
        _split("Av. Insurgentes Sur, Av. Revolución, Calle Hidalgo, Calle Morelos, Av. Juárez, Calle Allende, "
               "Av. Constitución, Calle Zaragoza, Av. Reforma, Calle Independencia, Calle 5 de Mayo, "
               "Av. Universidad, Calle Guerrero, Av. Vallarta, Calle Madero"),
        ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx", "prodigy.net.mx", "live.com.mx"),
        "com.mx", (", S.A. de C.V.", ", S. de R.L. de C.V.", ", S.A.P.I. de C.V."), 5, 14,
        ("Pago en tienda de conveniencia", "Transferencia SPEI", "Depósito en ventanilla",
         "Pago con tarjeta en línea", "Pago en sucursal"),
        "Demanda en juicio ejecutivo mercantil presentada",
    ),
}  # fmt: skip

_MX_COLONIAS = _split(
    "Centro, Del Valle, Roma Norte, Narvarte, Americana, Obispado, Moderna, Jardines del Bosque, Providencia, "
    "Lindavista, Las Águilas, Santa María, San Rafael, Chapultepec, Residencial Anáhuac, La Paz"
)
_COMPANY_WORDS = _split(
    "Construcciones, Distribuciones, Transportes, Comercial, Talleres, Inversiones, Servicios, Suministros, "
    "Alimentos, Textiles, Ferretería, Muebles, Panadería, Reformas, Logística, Agropecuaria, Farmacia, "
    "Consultores, Importaciones, Hostelería"
)
_COMPANY_TAILS = _split(
    "del Norte, del Sur, del Centro, Hermanos, y Asociados, Global, Integral, del Valle, Andina, Atlántica, "
    "del Pacífico, Express, Familiar, Unidos, Moderna"
)


@dataclass(frozen=True)
class _Product:
    product: str
    code: str  # in the creditor reference
    weight: float
    low: float  # principal range, in euros
    high: float
    interest: tuple[float, float] | None  # % of principal accrued before placement
    fee_chance: float
    fee: tuple[int, int]  # euros


_PRODUCTS: dict[str, tuple[_Product, ...]] = {
    "banking": (
        _Product("personal_loan", "PP", 0.33, 1500, 30000, (4, 14), 0.5, (20, 90)),
        _Product("credit_card", "TJ", 0.33, 300, 12000, (8, 25), 0.6, (15, 40)),
        _Product("overdraft", "DC", 0.15, 100, 5000, (2, 10), 0.7, (30, 40)),
        _Product("auto_loan", "AU", 0.12, 3000, 25000, (3, 10), 0.4, (30, 120)),
        _Product("mortgage", "HP", 0.07, 20000, 180000, (1, 6), 0.3, (60, 300)),
    ),
    "consumer_finance": (
        _Product("consumer_credit", "CC", 0.45, 300, 6000, (10, 40), 0.6, (10, 40)),
        _Product("personal_loan", "PP", 0.35, 500, 8000, (10, 35), 0.5, (10, 40)),
        _Product("credit_card", "TJ", 0.20, 200, 4000, (15, 45), 0.6, (10, 30)),
    ),
    "telecom": (
        _Product("telecom_contract", "CT", 0.75, 30, 900, None, 0.4, (5, 30)),
        _Product("invoice", "FA", 0.25, 20, 400, None, 0.3, (5, 15)),
    ),
    "utilities": (
        _Product("utility_bill", "SU", 0.85, 40, 1800, (0.5, 3), 0.25, (10, 60)),
        _Product("invoice", "FA", 0.15, 40, 900, (0.5, 3), 0.2, (10, 40)),
    ),
    "retail": (
        _Product("consumer_credit", "CD", 0.6, 150, 4000, (15, 45), 0.5, (5, 25)),
        _Product("credit_card", "TJ", 0.4, 100, 3000, (20, 50), 0.5, (5, 25)),
    ),
}

_ACCRUAL = {
    "banking": ("interest", "Intereses de demora del periodo", "fee", "Comisión por reclamación de posición deudora"),
    "consumer_finance": ("interest", "Intereses moratorios del periodo", "fee", "Gastos de cobranza"),
    "telecom": ("fee", "Cargo por reconexión", "fee", "Penalización por permanencia"),
    "utilities": ("interest", "Intereses de demora", "fee", "Gastos de corte y reconexión"),
    "retail": ("interest", "Intereses moratorios", "fee", "Comisión por pago tardío"),
}

# Share of accounts by bucket position (current, then oldest last); other edge counts get flat weights.
_BUCKET_WEIGHTS_7 = (8, 15, 13, 12, 18, 17, 17)
_MAX_DPD = 900
_MAX_FUTURE_DUE = 20  # "current" accounts fall due today or in the next days (preventive work)

_VULNERABILITY = _split(
    "Desempleo de larga duración en el hogar; Enfermedad grave del titular; Persona mayor que vive sola; "
    "Fallecimiento reciente del cónyuge; Dependencia reconocida de un familiar a cargo; "
    "Dificultades de comprensión lectora; Ingresos por debajo del salario mínimo".replace(";", ",")
)
_DISPUTE_REASONS = (
    "El deudor no reconoce la deuda y solicita el contrato firmado",
    "Reclama un cargo que considera indebido; se piden los justificantes al acreedor",
    "Alega que el servicio se dio de baja antes de la fecha facturada",
)
_HOLD_REASONS = (
    "Pausa a petición del acreedor mientras revisa el expediente",
    "Pausa por reclamación abierta ante el servicio de atención al cliente",
)
_CONSENT_EVIDENCE = (
    "Consentimiento verbal grabado en llamada (grabación {ref})",
    "Casilla marcada en el formulario de contratación del acreedor (documento {ref})",
    "Respuesta SÍ al SMS de confirmación (mensaje {ref})",
    "Alta en el área de clientes con doble confirmación (registro {ref})",
)
# What the services store (untranslated msgids, translated when shown): debtors.services.
_OPT_OUT_EVIDENCE = "Opt-out recorded"
_VULNERABILITY_NOTE = "Vulnerability flag set"


class _Picker:
    """Weighted choice by bisection on cumulative weights: much cheaper than ``Random.choices``."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def pick(self, r: float) -> Any:
        return self.items[bisect.bisect_right(self.cum, r * self.total)]


def _ascii(text: str) -> str:
    """``"María José Núñez"`` → ``"mariajosenunez"``: for e-mail addresses."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def _money(cents: int) -> str:
    """Integer cents → the 2-decimal string Django itself writes for a DecimalField."""
    if cents == 0:
        return "0.00"
    if cents > 0:
        units, rest = divmod(cents, 100)
        return f"{units}.{rest:02d}"
    units, rest = divmod(-cents, 100)
    return f"-{units}.{rest:02d}"


def _dec(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _cents(value: Decimal) -> int:
    return int(value.scaleb(2))


# =============================================================================================
# Report
# =============================================================================================


@dataclass
class DemoReport:
    accounts: int
    seed: int
    today: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    users: tuple[DemoUser, ...] = DEMO_USERS
    samples: list[str] = field(default_factory=list)
    seconds: float = 0.0
    bulk_seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


# =============================================================================================
# Database state, reset
# =============================================================================================


def _models() -> dict[str, Any]:
    """The models the demo writes, looked up at call time (model classes, typed loosely)."""
    return {
        "creditor": apps.get_model("creditors", "Creditor"),
        "portfolio": apps.get_model("portfolios", "Portfolio"),
        "commission": apps.get_model("portfolios", "CommissionRate"),
        "debtor": apps.get_model("debtors", "Debtor"),
        "contact": apps.get_model("debtors", "ContactPoint"),
        "consent": apps.get_model("debtors", "ContactConsent"),
        "account": apps.get_model("debts", "Account"),
        "party": apps.get_model("debts", "AccountParty"),
        "entry": apps.get_model("debts", "LedgerEntry"),
        "event": apps.get_model("debts", "AccountEvent"),
        "team": apps.get_model("people", "Team"),
        "user": get_user_model(),
    }


def demo_database_state() -> dict[str, int]:
    """What the database already holds that the demo would collide with."""
    m = _models()
    usernames = [u.username for u in DEMO_USERS]
    return {
        "creditors": m["creditor"].objects.count(),
        "debtors": m["debtor"].objects.count(),
        "accounts": m["account"].objects.count(),
        "demo users": m["user"].objects.filter(username__in=usernames).count(),
    }


def _check_empty() -> None:
    state = demo_database_state()
    if any(state.values()):
        held = ", ".join(f"{n:,} {what}" for what, n in state.items() if n)
        raise DemoError(
            f"This database already holds data ({held}), so the demo was not loaded again. "
            "Run `acuerda demo --reset` to wipe the demo and build it afresh, or point "
            "ACUERDA_DATA_DIR (or DATABASE_URL) at a fresh database."
        )


def _wipe_tables() -> list[type[models.Model]]:
    """Every table holding demo data: the creditors, debtors and teams and whatever hangs off
    them by foreign key (found by following the models, so new apps are covered), but not users."""
    user_model = get_user_model()
    m = _models()
    selected: set[type[models.Model]] = {m["creditor"], m["debtor"], m["team"]}
    every = [x for x in apps.get_models(include_auto_created=True) if not x._meta.proxy]
    changed = True
    while changed:
        changed = False
        for model in every:
            if model in selected or model is user_model or not model._meta.managed:
                continue
            if any(f.is_relation and f.related_model in selected for f in model._meta.concrete_fields):
                selected.add(model)
                changed = True
    return _children_first(sorted(selected, key=lambda x: x._meta.db_table))


def _children_first(tables: list[type[models.Model]]) -> list[type[models.Model]]:
    """Order tables so that each comes before the tables it points at: deleting in this order,
    a parent's foreign-key check never has to look through a child table that still has rows."""
    remaining = list(tables)
    ordered = []
    while remaining:
        for table in remaining:
            if not any(
                other is not table and any(f.is_relation and f.related_model is table for f in other._meta.concrete_fields)
                for other in remaining
            ):
                break
        else:  # a cycle: any order will do, the keys are checked at commit
            table = remaining[0]
        ordered.append(table)
        remaining.remove(table)
    return ordered


def _wipe() -> None:
    """Delete the previous demo. Refuses when creditors the demo did not create are present."""
    m = _models()
    foreign = list(m["creditor"].objects.exclude(code__in=DEMO_CREDITOR_CODES).values_list("code", flat=True)[:5])
    if foreign:
        raise DemoError(
            "--reset only wipes a demo database, and this one holds creditors the demo did not "
            f"create ({', '.join(foreign)}). Nothing was deleted. Use a fresh ACUERDA_DATA_DIR instead."
        )
    tables = _wipe_tables()
    user_model = get_user_model()
    # Tables that something outside the selection points at (users → creditor) are emptied with
    # DELETE after those rows are gone; everything else at once.
    outside_targets = {
        f.related_model
        for model in apps.get_models(include_auto_created=True)
        if model not in tables
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model in tables
    }
    # Called with the bulk tables' plain indexes dropped (see ``acuerda.core.bulk.indexes_rebuilt_after``):
    # each deleted row then only touches its table and the unique indexes.
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        first = [t for t in tables if t not in outside_targets]
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign-key checks still queued in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE " + ", ".join(quote(t._meta.db_table) for t in first))
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for t in first:
                cursor.execute(f"DELETE FROM {quote(t._meta.db_table)}")  # noqa: S608 - model table names
        user_model.objects.filter(
            models.Q(username__in=[u.username for u in DEMO_USERS]) | models.Q(creditor__isnull=False)
        ).delete()
        for t in tables:
            if t in outside_targets:
                cursor.execute(f"DELETE FROM {quote(t._meta.db_table)}")  # noqa: S608 - model table names


# =============================================================================================
# Structure through the services
# =============================================================================================


@dataclass
class _PortfolioInfo:
    id: int
    reference: str
    placed_on: dt.date
    canary: bool


@dataclass
class _CreditorInfo:
    spec: _CreditorSpec
    id: int
    currency: str
    order: tuple[str, ...]
    labels: list[str]
    portfolios: list[_PortfolioInfo]
    portfolio_picker: _Picker
    products: _Picker
    accrual: tuple[str, str, str, str]
    bucket_ranges: list[tuple[int, int]]  # (min dpd, max dpd) by bucket
    bucket_picker: _Picker


@dataclass
class _Structure:
    creditors: list[_CreditorInfo]
    users: dict[str, int]  # username → id


def _create_structure(today: dt.date) -> _Structure:
    from acuerda.creditors.services import creditor_create
    from acuerda.people.services import agent_set_authority, team_create, user_create
    from acuerda.portfolios.services import portfolio_create

    creditors: list[_CreditorInfo] = []
    portfolios_by_country: dict[str, list[Any]] = {}
    creditor_objects: dict[str, Any] = {}
    for seq, spec in enumerate(CREDITORS):
        country = COUNTRIES[spec.country]
        creditor = creditor_create(
            code=spec.code, legal_name=spec.legal_name, country=spec.country,
            tax_id=demo_tax_id(country=spec.country, seq=DEMO_SEQ_LIMIT - 1 - seq),
            default_currency=country.currency, sector=spec.sector, bucket_edges=spec.bucket_edges,
        )
        creditor_objects[spec.code] = creditor
        labels = creditor.buckets.labels()
        rates = _COMMISSION_BY_SECTOR[spec.sector]
        schedule = {label: Decimal(rates[min(i, len(rates) - 1)]) for i, label in enumerate(labels)}
        infos = []
        for n, pspec in enumerate(spec.portfolios, start=1):
            placed_on = today - dt.timedelta(days=pspec.days_ago)
            portfolio = portfolio_create(
                creditor=creditor, reference=f"{spec.ref_prefix}-{placed_on:%Y-%m}-{n:02d}",
                name=f"{pspec.name} ({_MONTHS[placed_on.month - 1]} {placed_on.year})",
                placed_on=placed_on, recall_on=placed_on + dt.timedelta(days=540),
                jurisdiction=pspec.jurisdiction, commission_rates=schedule,
            )
            portfolios_by_country.setdefault(spec.country, []).append(portfolio)
            infos.append(_PortfolioInfo(portfolio.pk, portfolio.reference, placed_on, pspec.jurisdiction == "ES-CN"))
        buckets = DelinquencyBuckets.from_edges(list(spec.bucket_edges))
        ranges = [(-_MAX_FUTURE_DUE, 0)]
        for i, start in enumerate(buckets.edges):
            end = buckets.edges[i + 1] - 1 if i + 1 < len(buckets.edges) else _MAX_DPD
            ranges.append((start, end))
        weights = _BUCKET_WEIGHTS_7 if len(labels) == 7 else (1,) * len(labels)
        products = _PRODUCTS[spec.sector]
        creditors.append(
            _CreditorInfo(
                spec=spec, id=creditor.pk, currency=country.currency,
                order=tuple(creditor.payment_allocation_order), labels=labels, portfolios=infos,
                portfolio_picker=_Picker(range(len(infos)), [p.weight for p in spec.portfolios]),
                products=_Picker(products, [p.weight for p in products]),
                accrual=_ACCRUAL[spec.sector], bucket_ranges=ranges,
                bucket_picker=_Picker(range(len(labels)), weights),
            )
        )

    users: dict[str, Any] = {}
    for demo in DEMO_USERS:
        bound = creditor_objects.get(demo.creditor_code) if demo.creditor_code else None
        user = user_create(
            username=demo.username, password=demo.password, role=demo.role, first_name=demo.first_name,
            last_name=demo.last_name, creditor=bound,
            email=f"{_ascii(demo.first_name)}.{_ascii(demo.last_name.split()[0])}@"
            + (f"{demo.creditor_code}.example.com" if demo.creditor_code else "cobros.example.com"),
        )
        password_validation.validate_password(demo.password, user)
        if demo.username in _AUTHORITY:
            agent_set_authority(user=user, **_AUTHORITY[demo.username])
        users[demo.username] = user
    for name, countries in TEAMS.items():
        members = [users[u.username] for u in DEMO_USERS if u.team == name]
        portfolios = [p for c in countries for p in portfolios_by_country.get(c, [])]
        team_create(name=name, members=members, portfolios=portfolios)
    from acuerda.workspace.demo import workspace_demo

    workspace_demo(author=users["supervisor"])

    # The services stamp "now"; the agency has existed since before its first placement.
    def morning(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(8, 0), tzinfo=dt.UTC)

    opened = today - dt.timedelta(days=max(p.days_ago for c in CREDITORS for p in c.portfolios) + 30)
    m = _models()
    m["creditor"].objects.filter(code__in=DEMO_CREDITOR_CODES).update(created_at=morning(opened))
    m["team"].objects.filter(name__in=TEAMS).update(created_at=morning(opened))
    m["user"].objects.filter(pk__in=[u.pk for u in users.values()]).update(date_joined=morning(opened))
    for info in creditors:
        for p in info.portfolios:
            m["portfolio"].objects.filter(pk=p.id).update(created_at=morning(p.placed_on))
    return _Structure(creditors=creditors, users={k: u.pk for k, u in users.items()})


_MONTHS = _split("enero, febrero, marzo, abril, mayo, junio, julio, agosto, septiembre, octubre, noviembre, diciembre")


# =============================================================================================
# Bulk rows
# =============================================================================================

# Columns the generator fills, in the order of its tuples. Any other column of the model (one
# added later) gets its field default, or NULL; a required column without either stops the demo.
COLUMNS: dict[str, tuple[str, ...]] = {
    "debtor": ("id", "kind", "country", "id_type", "id_number", "first_name", "last_name", "company_name",
               "birth_date", "preferred_language", "timezone", "is_vulnerable", "vulnerability_reason",
               "vulnerability_review_on", "created_at", "updated_at"),
    "contact": ("id", "debtor_id", "kind", "value", "phone_line_type", "timezones", "address_line",
                "postal_code", "city", "region", "country", "source", "owner_role", "owner_name", "status",
                "is_primary", "created_at", "updated_at"),
    "consent": ("id", "contact_point_id", "channel", "granted", "recorded_at", "evidence", "recorded_by_id"),
    "account": ("id", "portfolio_id", "debtor_id", "creditor_reference", "product", "currency",
                "original_principal", "original_interest", "original_fees", "principal", "interest", "fees",
                "first_unpaid_due_on", "status", "status_changed_at", "created_at"),
    "party": ("id", "account_id", "debtor_id", "role"),
    "entry": ("id", "account_id", "kind", "principal", "interest", "fees", "effective_on", "posted_at",
              "reverses_id", "external_reference", "memo", "actor_id"),
    "event": ("id", "account_id", "kind", "at", "actor_id", "reason", "from_status", "to_status", "data"),
}  # fmt: skip
BULK_ORDER = ("debtor", "contact", "consent", "account", "party", "entry", "event")


def _summary(entry_id: int, kind: str, p: int, i: int, f: int, on: str) -> str:
    """``debts.services._entry_summary`` as the JSON text ``json.dumps`` would write, built
    directly because it is written for every ledger entry."""
    return (
        f'{{"entry_id": {entry_id}, "kind": "{kind}", "principal": "{_money(p)}", '
        f'"interest": "{_money(i)}", "fees": "{_money(f)}", "effective_on": "{on}"}}'
    )


class _Counter:
    """Distinct demo sequence numbers for one generator, starting at a seed-dependent offset."""

    __slots__ = ("limit", "name", "next")

    def __init__(self, name: str, start: int, limit: int = DEMO_SEQ_LIMIT) -> None:
        self.name = name
        self.next = start
        self.limit = limit

    def take(self) -> int:
        value = self.next
        if value >= self.limit:
            raise DemoError(f"Ran out of demo sequence numbers for {self.name}; ask for fewer accounts.")
        self.next = value + 1
        return value


class _Generator:
    """Builds the bulk rows household by household (a debtor, their accounts and the people
    jointly liable), handing them to ``sink`` in batches. Single random stream: deterministic."""

    def __init__(
        self, *, structure: _Structure, seed: int, today: dt.date, vendor: str, first_ids: dict[str, int]
    ) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.ids = dict(first_ids)
        self.counts = dict.fromkeys(BULK_ORDER, 0)
        self.rows: dict[str, list[tuple[Any, ...]]] = {k: [] for k in BULK_ORDER}
        self.admin = structure.users["admin"]
        self.actor_by_country = {
            "ES": structure.users["agente"], "MX": structure.users["agente.mx"],
            "CO": self.admin, "PE": self.admin,
        }
        self.country_picker = _Picker(list(COUNTRIES), [c.weight for c in COUNTRIES.values()])
        self.creditors_by_country: dict[str, list[_CreditorInfo]] = {}
        for info in structure.creditors:
            self.creditors_by_country.setdefault(info.spec.country, []).append(info)
        self.creditor_picker = {
            code: _Picker(infos, [i.spec.weight for i in infos]) for code, infos in self.creditors_by_country.items()
        }
        self.city_picker = {code: _Picker(c.cities, c.city_weights) for code, c in COUNTRIES.items()}
        self.canary_picker = _Picker(_CANARY_CITIES, (45, 40, 10, 5))
        self.es_regions = subdivisions("ES")
        for city in (*_ES_CITIES, *_CANARY_CITIES):
            if city.region not in self.es_regions:  # pragma: no cover - catalogue error
                raise DemoError(f"{city.region} is not a subdivision of ES for the holidays library.")
        # Ascii forms of every name, for e-mail addresses.
        self.ascii: dict[str, str] = {}
        for c in COUNTRIES.values():
            for name in (*c.female, *c.male, *c.surnames):
                self.ascii[name] = _ascii(name)
        for word in (*_COMPANY_WORDS, *_COMPANY_TAILS):
            self.ascii.setdefault(word, _ascii(word))
            last = word.split(" ")[-1]
            self.ascii.setdefault(last, _ascii(last))
        # Seed-dependent, non-overlapping starting points for every id and phone generator.
        self.ids_seq: dict[tuple[str, str], _Counter] = {}
        for key in (("ES", "DNI"), ("ES", "NIE"), ("ES", "CIF"), ("CO", "CC"), ("CO", "CE"), ("CO", "NIT"),
                    ("PE", "DNI"), ("PE", "RUC"), ("MX", "CURP"), ("MX", "RFC")):  # fmt: skip
            self.ids_seq[key] = _Counter(f"{key[0]} {key[1]}", rng.randrange(1_000_000), DEMO_SEQ_LIMIT - 100)
        self.phone_seq = {
            (c, mobile): _Counter(f"{c} phones", rng.randrange(1_000_000))
            for c in COUNTRIES for mobile in (True, False)
        }
        self.reference_offset = rng.randrange(10**9)
        # Dates and times as the strings the database driver is given.
        self.base_ordinal = today.toordinal() - 2 * _MAX_DPD
        self.date_str = [
            dt.date.fromordinal(self.base_ordinal + i).isoformat() for i in range(3 * _MAX_DPD + 400)
        ]
        suffix = "+00" if vendor == "postgresql" else ""
        self.minute_str = [f" {m // 60:02d}:{m % 60:02d}:00{suffix}" for m in range(1440)]
        self.today_ord = today.toordinal()
        self.phone_meta: dict[str, tuple[str, str]] = {}
        self.samples: list[str] = []
        self.sample_countries: set[str] = set()

    # -- small helpers ----------------------------------------------------------------------

    def _next_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def _d(self, ordinal: int) -> str:
        return self.date_str[ordinal - self.base_ordinal]

    def _dt(self, ordinal: int, minute: int) -> str:
        return self.date_str[ordinal - self.base_ordinal] + self.minute_str[minute]

    def _minute(self, country: _Country) -> int:
        return country.first_hour_utc * 60 + int(self.rng.random() * 600)

    def _phone(self, country: str, mobile: bool) -> tuple[str, str, str]:
        number = demo_phone(country=country, seq=self.phone_seq[(country, mobile)].take(), mobile=mobile)
        key = number[:7]
        meta = self.phone_meta.get(key)
        if meta is None:
            info = parse_phone(number, default_region=country)
            zones = ", ".join(f'"{z}"' for z in info.timezones)
            meta = (info.line_type, f"[{zones}]")
            self.phone_meta[key] = meta
        return number, meta[0], meta[1]

    def _amount(self, low_eur: float, high_eur: float, country: _Country) -> int:
        """Log-uniform amount in cents, rounded to the currency's usual unit."""
        rng = self.rng
        euros = math.exp(rng.uniform(math.log(low_eur), math.log(high_eur)))
        cents = int(euros * country.fx * 100)
        unit = country.round_cents
        if unit == 1 and rng.random() < 0.3:
            unit = 100  # some bills are whole euros/soles/pesos
        return max(unit, cents - cents % unit)

    # -- households ---------------------------------------------------------------------------

    def run(self, accounts: int, sink: Callable[[dict[str, list[tuple[Any, ...]]]], None],
            batch_accounts: int, progress: Callable[[int], None] | None = None) -> dict[str, int]:
        done = 0
        pending = 0
        next_report = 100_000
        rng = self.rng
        while done < accounts:
            r = rng.random()
            n = 1 if r < 0.9 else (2 if r < 0.975 else 3)
            n = min(n, accounts - done)
            self._household(n)
            done += n
            pending += n
            if pending >= batch_accounts:
                sink(self.rows)
                self.rows = {k: [] for k in BULK_ORDER}
                pending = 0
            if progress is not None and done >= next_report:
                progress(done)
                next_report += 100_000
        if pending:
            sink(self.rows)
            self.rows = {k: [] for k in BULK_ORDER}
        return self.counts

    def _household(self, n_accounts: int) -> None:
        rng = self.rng
        code = self.country_picker.pick(rng.random())
        country = COUNTRIES[code]
        # Which creditors: several accounts go to different creditors of the country where it has them.
        infos = self.creditors_by_country[code]
        first = self.creditor_picker[code].pick(rng.random())
        chosen = [first]
        others = [i for i in infos if i is not first]
        rng.shuffle(others)
        for k in range(1, n_accounts):
            chosen.append(others[k - 1] if k - 1 < len(others) else first)
        plans = []
        for info in chosen:
            portfolio = info.portfolios[info.portfolio_picker.pick(rng.random())]
            plans.append((info, portfolio))
        placed = min(p.placed_on for _, p in plans).toordinal()
        canary = any(p.canary for _, p in plans)
        debtor_id, name, keys, vulnerable = self._debtor(country, placed, canary, company=rng.random() < 0.04)
        account_ids = []
        for info, portfolio in plans:
            account_ids.append(self._account(country, info, portfolio, debtor_id, vulnerable))
        if vulnerable is not None:
            self._vulnerability_notes(account_ids, vulnerable, country)
        if n_accounts > 1 and len({i.spec.code for i in chosen}) > 1 and len(self.samples) < 4 \
                and code not in self.sample_countries:
            self.sample_countries.add(code)
            self.samples.append(f"{name} ({keys}): {n_accounts} accounts at "
                                f"{', '.join(sorted({i.spec.short_name for i in chosen}))}")

    def _debtor(
        self, country: _Country, placed: int, canary: bool, company: bool
    ) -> tuple[int, str, str, tuple[str, int] | None]:
        """One debtor row with their contact points; returns the id, the name, search keys and
        the vulnerability (reason, day flagged) if any."""
        rng = self.rng
        code = country.code
        debtor_id = self._next_id("debtor")
        created = self._dt(placed, self._minute(country) - 60)
        birth = None
        language = "es"
        if company:
            kind = "company"
            word = _COMPANY_WORDS[int(rng.random() * len(_COMPANY_WORDS))]
            if rng.random() < 0.5:
                tail = country.surnames[int(rng.random() * len(country.surnames))]
            else:
                tail = _COMPANY_TAILS[int(rng.random() * len(_COMPANY_TAILS))]
            company_name = f"{word} {tail}{country.legal_forms[int(rng.random() * len(country.legal_forms))]}"
            slug = self.ascii[word] + self.ascii[tail.split(" ")[-1]]
            first_name = last_name = ""
            if code == "ES":
                id_type, number = "CIF", demo_national_id(country="ES", id_type="CIF", seq=self.ids_seq[("ES", "CIF")].take())
            elif code == "CO":
                id_type, number = "NIT", demo_national_id(country="CO", id_type="NIT", seq=self.ids_seq[("CO", "NIT")].take())
            elif code == "PE":  # a company RUC starts with 20: the tax-id generator makes those
                id_type, number = "RUC", demo_tax_id(country="PE", seq=self.ids_seq[("PE", "RUC")].take())
            else:
                id_type, number = "RFC", demo_tax_id(country="MX", seq=self.ids_seq[("MX", "RFC")].take())
            display = company_name
        else:
            kind = "person"
            company_name = slug = ""
            if code == "ES":
                id_type = "NIE" if rng.random() < 0.12 else "DNI"
                if id_type == "NIE" and rng.random() < 0.3:
                    language = "en"
            elif code == "CO":
                id_type = "CE" if rng.random() < 0.03 else "CC"
            elif code == "PE":
                id_type = "DNI"
            else:
                id_type = "CURP"
            number = demo_national_id(country=code, id_type=id_type, seq=self.ids_seq[(code, id_type)].take())
            if id_type == "CURP":  # the CURP holds the birth date and sex: keep the person consistent
                birth = f"19{number[4:6]}-{number[6:8]}-{number[8:10]}"
                female = number[10] == "M"
            else:
                female = rng.random() < 0.5
                birth = dt.date.fromordinal(self.today_ord - 365 * 19 - int(rng.random() * 365 * 58)).isoformat()
            names = country.female if female else country.male
            r = rng.random()
            first_name = names[int(len(names) * r * r)]
            s = country.surnames
            r1, r2 = rng.random(), rng.random()
            last1, last2 = s[int(len(s) * r1 * r1)], s[int(len(s) * r2 * r2)]
            last_name = f"{last1} {last2}"
            display = f"{first_name} {last_name}"
        city = self.canary_picker.pick(rng.random()) if canary else self.city_picker[code].pick(rng.random())
        vulnerable = None
        if not company and rng.random() < 0.015:
            vulnerable = (
                _VULNERABILITY[int(rng.random() * len(_VULNERABILITY))],
                placed + 5 + int(rng.random() * max(1, self.today_ord - placed - 5)),
            )
        review_on = self._d(vulnerable[1] + 90 + int(rng.random() * 90)) if vulnerable else None
        self.rows["debtor"].append((
            debtor_id, kind, code, id_type, number, first_name, last_name, company_name, birth, language,
            city.tz, vulnerable is not None, vulnerable[0] if vulnerable else "", review_on, created,
            self._dt(vulnerable[1], self._minute(country)) if vulnerable else created,
        ))  # fmt: skip
        self.counts["debtor"] += 1

        # Contact points: mobile (primary), sometimes a landline, e-mail, postal address.
        contact = self.rows["contact"]
        search_key = f"{id_type} {number}"
        for k in range(2 if rng.random() < 0.35 else 1):
            mobile = k == 0 or rng.random() < 0.3
            phone, line_type, zones = self._phone(code, mobile)
            if k == 0:
                search_key += f", {phone}"
            r = rng.random()
            status = "wrong_number" if r < 0.02 else ("opted_out" if r < 0.03 else "valid")
            source = "creditor" if r < 0.75 else ("debtor" if r < 0.9 else "enrichment")
            point_id = self._next_id("contact")
            contact.append((point_id, debtor_id, "phone", phone, line_type, zones, "", "", "", "", code, source,
                            "debtor", "", status, k == 0, created, created))  # fmt: skip
            self.counts["contact"] += 1
            if status == "opted_out":
                self._consents(point_id, ("call", "sms", "whatsapp"), False, placed, country)
            elif k == 0 and rng.random() < 0.12:
                self._consents(point_id, ("whatsapp",) if rng.random() < 0.6 else ("sms",), True, placed, country)
        if rng.random() < (0.9 if company else 0.7):
            email = self._email(country, first_name, last_name, slug)
            point_id = self._next_id("contact")
            contact.append((point_id, debtor_id, "email", email, "", "[]", "", "", "", "", code, "creditor",
                            "debtor", "", "bounced" if rng.random() < 0.03 else "valid", False, created, created))  # fmt: skip
            self.counts["contact"] += 1
            if rng.random() < 0.05:
                self._consents(point_id, ("email",), True, placed, country)
        if rng.random() < 0.9:
            line, postal = self._address(country, city)
            value = f"{line}, {postal}, {city.name}, {code}"
            point_id = self._next_id("contact")
            contact.append((point_id, debtor_id, "address", value, "", "[]", line, postal, city.name, city.region,
                            code, "creditor", "debtor", "", "valid", False, created, created))  # fmt: skip
            self.counts["contact"] += 1
        if not company and rng.random() < 0.05:
            # A personal reference from the credit application: held, but not to be called about the debt.
            phone, line_type, zones = self._phone(code, True)
            ref_first = country.female[int(rng.random() * len(country.female))]
            ref_last = country.surnames[int(rng.random() * len(country.surnames))]
            contact.append((self._next_id("contact"), debtor_id, "phone", phone, line_type, zones, "", "", "", "",
                            code, "creditor", "reference", f"{ref_first} {ref_last}", "valid", False, created,
                            created))  # fmt: skip
            self.counts["contact"] += 1
        return debtor_id, display, search_key, vulnerable

    def _email(self, country: _Country, first: str, last: str, slug: str) -> str:
        rng = self.rng
        if slug:
            box = ("administracion", "contabilidad", "info", "facturacion")[int(rng.random() * 4)]
            return f"{box}@{slug}.{country.company_tld}"
        a = self.ascii
        f = a.get(first) or _ascii(first)
        parts = last.split(" ")
        l1 = a.get(parts[0]) or _ascii(parts[0])
        l2 = a.get(parts[-1]) or _ascii(parts[-1])
        style = int(rng.random() * 4)
        n = int(rng.random() * 9999)
        if style == 0:
            local = f"{f}.{l1}{n}"
        elif style == 1:
            local = f"{f}{l1}{l2[:1]}{n % 100:02d}"
        elif style == 2:
            local = f"{f[:1]}{l1}.{l2}{n % 1000}"
        else:
            local = f"{f}_{l1}{1950 + n % 56}"
        domain = country.email_domains[int(len(country.email_domains) * rng.random() ** 1.5)]
        return f"{local}@{domain}"

    def _address(self, country: _Country, city: _City) -> tuple[str, str]:
        rng = self.rng
        low, high = city.postal
        postal = str(low + int(rng.random() * (high - low + 1))).zfill(country.postal_digits)
        code = country.code
        if code == "ES":
            street = country.streets[int(rng.random() * len(country.streets))]
            line = f"{street} {1 + int(rng.random() * 140)}, {1 + int(rng.random() * 8)}º {'ABCD'[int(rng.random() * 4)]}"
        elif code == "CO":
            via = country.streets[int(rng.random() * len(country.streets))]
            line = f"{via} {1 + int(rng.random() * 150)} # {1 + int(rng.random() * 120)}-{1 + int(rng.random() * 99)}"
            if rng.random() < 0.4:
                line += f" Apto {100 * (1 + int(rng.random() * 15)) + 1 + int(rng.random() * 4)}"
        elif code == "PE":
            street = country.streets[int(rng.random() * len(country.streets))]
            line = f"{street} {100 + int(rng.random() * 3400)}"
            if rng.random() < 0.3:
                line += f", Dpto. {100 * (1 + int(rng.random() * 12)) + 1 + int(rng.random() * 4)}"
        else:
            street = country.streets[int(rng.random() * len(country.streets))]
            colonia = _MX_COLONIAS[int(rng.random() * len(_MX_COLONIAS))]
            line = f"{street} {1 + int(rng.random() * 2500)}, Col. {colonia}"
        return line, postal

    def _consents(self, point_id: int, channels: Sequence[str], granted: bool, placed: int, country: _Country) -> None:
        rng = self.rng
        day = placed - 400 + int(rng.random() * 400) if granted else placed + int(rng.random() * max(1, self.today_ord - placed))
        at = self._dt(min(day, self.today_ord), self._minute(country))
        ref = f"{country.code}-{point_id:08d}"
        evidence = _CONSENT_EVIDENCE[int(rng.random() * len(_CONSENT_EVIDENCE))].format(ref=ref) if granted \
            else _OPT_OUT_EVIDENCE
        by = None if granted else self.actor_by_country[country.code]
        for channel in channels:
            self.rows["consent"].append((self._next_id("consent"), point_id, channel, granted, at, evidence, by))
            self.counts["consent"] += 1

    def _vulnerability_notes(self, account_ids: list[int], vulnerable: tuple[str, int], country: _Country) -> None:
        at = self._dt(vulnerable[1], self._minute(country))
        actor = self.actor_by_country[country.code]
        for account_id in account_ids:
            self.rows["event"].append((self._next_id("event"), account_id, "note", at, actor,
                                       _VULNERABILITY_NOTE, "", "", '{"vulnerable": true}'))
            self.counts["event"] += 1

    # -- accounts -----------------------------------------------------------------------------

    def _account(self, country: _Country, info: _CreditorInfo, portfolio: _PortfolioInfo, debtor_id: int,
                 vulnerable: tuple[str, int] | None) -> int:
        rng = self.rng
        rows = self.rows
        account_id = self._next_id("account")
        product: _Product = info.products.pick(rng.random())
        principal = self._amount(product.low, product.high, country)
        interest = 0
        if product.interest is not None and rng.random() < 0.8:
            low, high = product.interest
            interest = int(principal * (low + rng.random() * (high - low)) / 100)
            interest -= interest % country.round_cents
        fees = 0
        if rng.random() < product.fee_chance:
            fees = int((product.fee[0] + rng.random() * (product.fee[1] - product.fee[0])) * country.fx) * 100
            fees -= fees % country.round_cents
        bucket = info.bucket_picker.pick(rng.random())
        low_dpd, high_dpd = info.bucket_ranges[bucket]
        dpd = low_dpd + int(rng.random() * (high_dpd - low_dpd + 1))
        due = self._d(self.today_ord - dpd)
        placed = portfolio.placed_on.toordinal()
        placed_minute = self._minute(country)
        placed_at = self._dt(placed, placed_minute)
        placed_on = self._d(placed)
        reference = self._reference(info, product)
        admin = self.admin
        actor = self.actor_by_country[country.code]

        entry_id = self._next_id("entry")
        rows["entry"].append((entry_id, account_id, "placement", _money(principal), _money(interest), _money(fees),
                              placed_on, placed_at, None, "", "", admin))  # fmt: skip
        rows["event"].append((self._next_id("event"), account_id, "placed", placed_at, admin, "", "", "active",
                              _summary(entry_id, "placement", principal, interest, fees, placed_on)))  # fmt: skip
        self.counts["entry"] += 1
        self.counts["event"] += 1
        if rng.random() < 0.03 and product.product not in ("invoice", "utility_bill"):
            self._party(account_id, country, placed, placed_at)

        status = "active"
        status_at = placed_at
        balance = [principal, interest, fees]  # in the order of COMPONENTS
        r = rng.random()
        days = self.today_ord - placed
        if r < 0.23 and days > 2:
            status, status_at = self._history(
                r, account_id, country, info, balance, placed, days, actor, dpd, vulnerable
            )
            status_at = status_at or placed_at
        elif r < 0.33 and days > 31:
            # Periodic charges only: interest or a fee posted during collection.
            kind, memo = (info.accrual[0], info.accrual[1]) if rng.random() < 0.6 else (info.accrual[2], info.accrual[3])
            if kind == "interest" and balance[0] > 0:
                amount = max(country.round_cents, principal // 100 * (1 + int(rng.random() * 3)))
                amount -= amount % country.round_cents
                self._post(account_id, "interest", 0, amount, 0, placed + 30, country, memo, admin, "")
                balance[1] += amount
            else:
                amount = int((5 + rng.random() * 25) * country.fx) * 100
                amount -= amount % country.round_cents
                self._post(account_id, "fee", 0, 0, amount, placed + 30, country, memo, admin, "")
                balance[2] += amount
        rows["account"].append((
            account_id, portfolio.id, debtor_id, reference, product.product, info.currency, _money(principal),
            _money(interest), _money(fees), _money(balance[0]), _money(balance[1]), _money(balance[2]), due,
            status, status_at, placed_at,
        ))  # fmt: skip
        self.counts["account"] += 1
        return account_id

    def _reference(self, info: _CreditorInfo, product: _Product) -> str:
        # A bijection of the account number onto 9 digits (7654321 is coprime with 10): unique.
        n = (self.counts["account"] * 7_654_321 + self.reference_offset) % 10**9
        return f"{info.spec.ref_prefix}-{product.code}-{n:09d}"

    def _party(self, account_id: int, country: _Country, placed: int, placed_at: str) -> None:
        rng = self.rng
        role = "guarantor" if rng.random() < 0.6 else "co_debtor"
        party_id, _name, _keys, _vulnerable = self._debtor(country, placed, False, company=False)
        self.rows["party"].append((self._next_id("party"), account_id, party_id, role))
        self.rows["event"].append((self._next_id("event"), account_id, "party_added", placed_at, self.admin, "", "",
                                   "", f'{{"debtor_id": {party_id}, "role": "{role}"}}'))  # fmt: skip
        self.counts["party"] += 1
        self.counts["event"] += 1

    def _post(self, account_id: int, kind: str, p: int, i: int, f: int, ordinal: int, country: _Country,
              memo: str, actor: int | None, external: str) -> str:
        """A ledger entry and its ``ledger_posted`` event; returns the timestamp used."""
        entry_id = self._next_id("entry")
        on = self._d(ordinal)
        at = self._dt(ordinal, self._minute(country))
        self.rows["entry"].append((entry_id, account_id, kind, _money(p), _money(i), _money(f), on, at, None,
                                   external, memo, actor))  # fmt: skip
        self.rows["event"].append((self._next_id("event"), account_id, "ledger_posted", at, actor, memo, "", "",
                                   _summary(entry_id, kind, p, i, f, on)))  # fmt: skip
        self.counts["entry"] += 1
        self.counts["event"] += 1
        return at

    def _status(self, account_id: int, at: str, actor: int | None, reason: str, old: str, new: str) -> None:
        self.rows["event"].append((self._next_id("event"), account_id, "status_changed", at, actor, reason, old, new, "{}"))
        self.counts["event"] += 1

    def _history(self, r: float, account_id: int, country: _Country, info: _CreditorInfo,
                 balance: list[int], placed: int, days: int, actor: int, dpd: int,
                 vulnerable: tuple[str, int] | None) -> tuple[str, str]:
        """Payments, discounts and status changes after placement, in date order, keeping the
        balance the way ``payment_post``/``ledger_post``/``account_transition`` would."""
        rng = self.rng
        status = "active"
        status_at = ""
        unit = country.round_cents
        # What happens to this account (r < 0.23 here).
        if r < 0.04:
            plan = "paid"
        elif r < 0.047:
            plan = "settled"
        elif r < 0.077:
            plan = "in_arrangement"
        elif r < 0.087:
            plan = "disputed"
        elif r < 0.097:
            plan = "on_hold"
        elif r < 0.117 and dpd >= 181:
            plan = "legal"
        else:
            plan = "partial"
        if vulnerable is not None and plan in ("partial", "legal"):
            plan = "on_hold"
        n_payments = {"paid": 1 + int(rng.random() * 3), "settled": 1, "in_arrangement": int(rng.random() * 4),
                      "partial": 1 + int(rng.random() * 3)}.get(plan, 0)  # fmt: skip
        # Dates after placement, increasing.
        steps = sorted(placed + 1 + int(rng.random() * days) for _ in range(n_payments + 1))
        steps = [min(d, self.today_ord) for d in steps]
        memos = country.payment_memos
        if plan in ("in_arrangement", "disputed", "on_hold", "legal"):
            when = steps.pop(0)
            at = self._dt(when, country.first_hour_utc * 60)  # first thing that day: before its payments
            if plan == "in_arrangement":
                total = sum(balance)
                instalments = (3, 6, 6, 12)[int(rng.random() * 4)]
                reason = f"Convenio de pago: {instalments} cuotas de {_money(total // instalments // unit * unit)} {info.currency}"
            elif plan == "disputed":
                reason = _DISPUTE_REASONS[int(rng.random() * len(_DISPUTE_REASONS))]
            elif plan == "on_hold":
                reason = "Pausa por situación de vulnerabilidad" if vulnerable is not None else \
                    _HOLD_REASONS[int(rng.random() * len(_HOLD_REASONS))]
            else:
                reason = country.legal_reason
            self._status(account_id, at, actor, reason, "active", plan)
            status, status_at = plan, at
            memos = ("Cuota del convenio",) if plan == "in_arrangement" else memos
        else:
            steps.pop(0)
        if plan == "settled":
            # A discount on interest and fees (and part of the principal), then the rest in one payment.
            cut = balance[0] * (10 + int(rng.random() * 21)) // 100
            cut -= cut % unit
            percent = round(100 * (cut + balance[1] + balance[2]) / max(1, sum(balance)))
            if cut + balance[1] + balance[2] == 0:
                cut = unit
            day = max(placed + 1, steps[0] - 1)
            self._post(account_id, "discount", -cut, -balance[1], -balance[2], day, country,
                       f"Quita del {percent} % por pago único", actor, "")
            balance[0] -= cut
            balance[1] = balance[2] = 0
        for k, day in enumerate(steps):
            total = balance[0] + balance[1] + balance[2]
            if total <= 0:
                break
            last = k == len(steps) - 1
            if plan in ("paid", "settled") and last:
                amount = total
            else:
                amount = total * (5 + int(rng.random() * 30)) // 100
                amount -= amount % unit
                if amount <= 0 or amount >= total:
                    continue
            split = allocate(_dec(amount), {"principal": _dec(balance[0]), "interest": _dec(balance[1]),
                                            "fees": _dec(balance[2])}, info.order)  # fmt: skip
            parts = (_cents(split.parts["principal"]), _cents(split.parts["interest"]), _cents(split.parts["fees"]))
            memo = memos[int(rng.random() * len(memos))]
            by = None if rng.random() < 0.7 else actor  # most payments arrive by bank file, unattended
            entry_ref = f"PAY-{self.ids['entry']:09d}"
            at = self._post(account_id, "payment", -parts[0], -parts[1], -parts[2], day, country, memo, by, entry_ref)
            balance[0] -= parts[0]
            balance[1] -= parts[1]
            balance[2] -= parts[2]
            if balance[0] + balance[1] + balance[2] == 0:
                target = "settled" if plan == "settled" else "paid"
                self._status(account_id, at, by, memo, status, target)
                status, status_at = target, at
        return status, status_at


# =============================================================================================
# Writers
# =============================================================================================


class _Sink:
    """Writes batches of generated rows; fills columns the generator does not know about."""

    def __init__(self) -> None:
        m = _models()
        self.cursor = connection.cursor()
        self.tables: dict[str, tuple[str, tuple[str, ...], tuple[Any, ...]]] = {}
        for key in BULK_ORDER:
            model = m[key]
            known = COLUMNS[key]
            extra_cols: list[str] = []
            extra_vals: list[Any] = []
            for f in model._meta.concrete_fields:
                if f.column in known:
                    continue
                if f.has_default():
                    value = f.get_db_prep_save(f.get_default(), connection)
                elif f.null:
                    value = None
                else:
                    raise DemoError(f"The demo does not know how to fill {model.__name__}.{f.name}; update acuerda/core/demo.py.")
                extra_cols.append(str(f.column))
                extra_vals.append(value)
            missing = set(known) - {f.column for f in model._meta.concrete_fields}
            if missing:
                raise DemoError(f"{model.__name__} has no column(s) {', '.join(sorted(missing))}; update acuerda/core/demo.py.")
            self.tables[key] = (model._meta.db_table, (*known, *extra_cols), tuple(extra_vals))

    def __call__(self, batches: dict[str, list[tuple[Any, ...]]]) -> None:
        for key in BULK_ORDER:
            rows = batches[key]
            if not rows:
                continue
            table, columns, extra = self.tables[key]
            if extra:
                rows = [row + extra for row in rows]
            self.write(table, columns, rows)

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError


class _SqliteSink(_Sink):
    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        raw = self.cursor.cursor  # the sqlite3 cursor: no per-row placeholder rewriting
        raw.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)  # noqa: S608 - model tables


class _PostgresSink(_Sink):
    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        cols = ", ".join(f'"{c}"' for c in columns)
        with self.cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


@contextlib.contextmanager
def _loading_session() -> Iterator[None]:
    """Connection settings for a fast bulk load, restored afterwards."""
    if connection.vendor != "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        return
    if connection.in_atomic_block:  # inside a test's transaction: leave the connection alone
        yield
        return

    def pragma(name: str) -> Any:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA {name}")
            return cursor.fetchone()[0]

    journal, synchronous, cache = pragma("journal_mode"), pragma("synchronous"), pragma("cache_size")
    with connection.cursor() as cursor:
        # A rollback journal only records the pages that existed before: nearly nothing when
        # the tables start empty, where WAL would write every new page twice.
        cursor.execute("PRAGMA journal_mode=DELETE")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(cache)}")
            cursor.execute(f"PRAGMA synchronous={int(synchronous)}")
            cursor.execute(f"PRAGMA journal_mode={journal}")


def _first_ids() -> dict[str, int]:
    m = _models()
    result = {}
    for key in BULK_ORDER:
        last = m[key].objects.aggregate(last=models.Max("pk"))["last"]
        result[key] = (last or 0) + 1
    return result


def _analyze() -> None:
    m = _models()
    tables = [m[k]._meta.db_table for k in BULK_ORDER]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        else:
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")


# =============================================================================================
# Entry point
# =============================================================================================


def build_demo(
    *,
    accounts: int = DEFAULT_ACCOUNTS,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    reset: bool = False,
    batch_accounts: int = 10_000,
    progress: Callable[[str], None] | None = None,
) -> DemoReport:
    """Build the demo agency in the default database, in one transaction: either all of it is
    there afterwards or (after an error or Ctrl-C) none of it.

    Refuses (``DemoError``) when the database already holds creditors, debtors, accounts or the
    demo users, unless ``reset``, which first deletes the previous demo (and refuses if the
    database holds creditors the demo did not create).
    """
    if not 0 <= accounts <= MAX_ACCOUNTS:
        raise DemoError(f"--accounts must be between 0 and {MAX_ACCOUNTS:,}.")
    today = today or timezone.localdate()
    started = time.perf_counter()
    report = DemoReport(accounts=accounts, seed=seed, today=today)
    phases = report.phases
    m = _models()
    with _loading_session(), transaction.atomic():
        with indexes_rebuilt_after([m[key] for key in BULK_ORDER]) as rebuilt:
            if reset:
                _wipe()
                phases["reset"] = time.perf_counter() - started
            _check_empty()
            mark = time.perf_counter()
            structure = _create_structure(today)
            phases["structure (services)"] = time.perf_counter() - mark
            report.counts = {
                "creditors": len(structure.creditors),
                "portfolios": m["portfolio"].objects.count(),
                "commission rates": m["commission"].objects.count(),
                "teams": m["team"].objects.count(),
                "users": len(DEMO_USERS),
            }
            bulk_started = time.perf_counter()
            generator = _Generator(
                structure=structure, seed=seed, today=today, vendor=connection.vendor, first_ids=_first_ids()
            )
            sink: _Sink = _PostgresSink() if connection.vendor == "postgresql" else _SqliteSink()

            def report_progress(done: int) -> None:
                if progress is not None:
                    elapsed = time.perf_counter() - bulk_started
                    rows = sum(generator.counts.values())
                    progress(f"  {done:>10,} accounts · {rows:>11,} rows · {done / elapsed:>8,.0f} accounts/s · "
                             f"{rows / elapsed:>9,.0f} rows/s")

            try:
                counts = generator.run(accounts, sink, batch_accounts, report_progress)
            finally:
                sink.cursor.close()
            phases["bulk rows"] = time.perf_counter() - bulk_started
        phases["indexes and keys"] = rebuilt["seconds"]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [m[k] for k in BULK_ORDER]):
                cursor.execute(sql)
        report.bulk_seconds = time.perf_counter() - bulk_started
        labels = {"debtor": "debtors", "contact": "contact points", "consent": "consents", "account": "accounts",
                  "party": "co-debtors and guarantors", "entry": "ledger entries", "event": "account events"}
        report.counts.update({labels[k]: v for k, v in counts.items()})
        report.samples = generator.samples
        mark = time.perf_counter()
    phases["commit"] = time.perf_counter() - mark
    mark = time.perf_counter()
    _analyze()
    phases["analyze"] = time.perf_counter() - mark
    mark = time.perf_counter()
    from acuerda.payments.demo import payments_demo

    report.counts["payments (registered)"] = payments_demo(today=today, seed=seed)
    phases["payments"] = time.perf_counter() - mark
    mark = time.perf_counter()
    from acuerda.workspace.queue import queue_refresh

    report.counts["queued accounts"] = queue_refresh(today=today)
    phases["work queue"] = time.perf_counter() - mark
    report.seconds = time.perf_counter() - started
    return report
