"""The demo commune's content: the Commune of Paris, spring 1871.

Pure data, no I/O. ``loader.py`` plays it through the service commands so
that every act lands on the journal. Texts of motions are short English
renderings of the decrees published in the *Journal officiel de la Commune*;
``source`` gives the date of the original. Where the demo departs from what
happened (a decree the Council adopted is rejected here, so that the demo
shows every state), ``note`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SLUG = "paris-1871"
NAME = "Commune de Paris"
DOMAIN = "paris-1871.example"
# One shared password for every demo member: the demo is for trying the
# software on a local machine and must never hold real people's data.
DEMO_PASSWORD = "vive-la-commune-1871"


@dataclass(frozen=True)
class Section:
    """An arrondissement (a ward that elected its councillors) or a commission."""

    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class Member:
    """A member of the demo commune; ``handle`` is the local part of the email."""

    handle: str
    name: str
    arrondissement: int
    about: str

    @property
    def email(self) -> str:
        return f"{self.handle}@{DOMAIN}"


@dataclass(frozen=True)
class Amendment:
    """An amendment moved by ``mover`` that appends ``addition`` to the motion's text.

    ``accepted`` amendments are taken by the motion's mover; the others stay
    open on the motion's page.
    """

    mover: str
    title: str
    addition: str
    accepted: bool = True

    def body(self, text: str) -> str:
        """The motion's text as this amendment would have it."""
        return f"{text} {self.addition}"


@dataclass(frozen=True)
class Motion:
    """A motion and the state the demo brings it to.

    ``state`` is one of: draft, seconding, deliberation, voting, adopted,
    rejected, lapsed, withdrawn. ``ballots`` maps a member handle to
    ``yes``, ``no`` or ``abstain``; they are cast as open (roll-call) ballots.
    """

    key: str
    title: str
    text: str
    mover: str
    state: str
    source: str
    seconders: tuple[str, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()
    amendments: tuple[Amendment, ...] = ()
    ballots: dict[str, str] = field(default_factory=dict)
    withdrawal_reason: str = ""
    note: str = ""


ARRONDISSEMENTS: tuple[tuple[int, str], ...] = (
    (1, "Louvre"),
    (2, "Bourse"),
    (3, "Temple"),
    (4, "Hôtel-de-Ville"),
    (5, "Panthéon"),
    (6, "Luxembourg"),
    (7, "Palais-Bourbon"),
    (8, "Élysée"),
    (9, "Opéra"),
    (10, "Enclos-Saint-Laurent"),
    (11, "Popincourt"),
    (12, "Reuilly"),
    (13, "Gobelins"),
    (14, "Observatoire"),
    (15, "Vaugirard"),
    (16, "Passy"),
    (17, "Batignolles-Monceau"),
    (18, "Butte-Montmartre"),
    (19, "Buttes-Chaumont"),
    (20, "Ménilmontant"),
)


def _roll(yes: str = "", no: str = "", abstain: str = "") -> dict[str, str]:
    """A roll call from space-separated member handles, one string per choice."""
    return {
        handle: choice
        for choice, handles in (("yes", yes), ("no", no), ("abstain", abstain))
        for handle in handles.split()
    }


def _ordinal(number: int) -> str:
    return f"{number}{'er' if number == 1 else 'e'}"


SECTIONS: tuple[Section, ...] = tuple(
    Section(
        slug=f"arrondissement-{number:02d}",
        name=f"{_ordinal(number)} arrondissement ({name})",
        description=f"The {_ordinal(number)} arrondissement of Paris, {name}, a ward that "
        "elects its own councillors to the Commune.",
    )
    for number, name in ARRONDISSEMENTS
)

# The ten commissions the Council of the Commune elected on 29 March 1871 and
# reorganised on 20 April, each with a delegate answerable to the Council.
COMMISSIONS: tuple[Section, ...] = (
    Section(
        "commission-executive",
        "Executive Commission",
        "Carries out the Council's decrees; from 20 April made up of the delegates "
        "of the other nine commissions.",
    ),
    Section(
        "commission-finance",
        "Finance Commission",
        "The Commune's budget, revenue and payments; its delegate answered for every franc spent.",
    ),
    Section(
        "commission-labour-exchange",
        "Commission of Labour and Exchange",
        "Work, wages, trade and workers' associations; it prepared the decrees on "
        "abandoned workshops, night work in bakeries and fines on wages.",
    ),
    Section(
        "commission-subsistence",
        "Subsistence Commission",
        "The city's food supply, markets and prices.",
    ),
    Section(
        "commission-public-services",
        "Public Services Commission",
        "Posts, telegraphs, lighting, roads, water and the other services of the city.",
    ),
    Section(
        "commission-education",
        "Education Commission",
        "Schools and teaching: free, secular and vocational education for girls and boys.",
    ),
    Section(
        "commission-justice",
        "Justice Commission",
        "Courts, judges elected and revocable, and the rights of the accused.",
    ),
    Section(
        "commission-public-safety",
        "Public Safety Commission",
        "Police and order in the city under siege.",
    ),
    Section(
        "commission-external-relations",
        "External Relations Commission",
        "Relations with the other communes of France and with foreign powers.",
    ),
    Section(
        "commission-military",
        "Military Commission",
        "The National Guard and the defence of Paris.",
    ),
)

MEMBERS: tuple[Member, ...] = (
    Member("varlin", "Eugène Varlin", 6, "Bookbinder, International; Finance, then Subsistence."),
    Member("michel", "Louise Michel", 18, "Teacher; Montmartre women's vigilance committee."),
    Member("frankel", "Léo Frankel", 13, "Jeweller; delegate to Labour and Exchange."),
    Member("delescluze", "Charles Delescluze", 11, "Journalist; delegate for war in May."),
    Member("valles", "Jules Vallès", 15, "Writer; editor of Le Cri du peuple; Education."),
    Member("courbet", "Gustave Courbet", 6, "Painter; president of the artists' federation."),
    Member("dmitrieff", "Élisabeth Dmitrieff", 10, "Founder of the Union des femmes."),
    Member("lemel", "Nathalie Lemel", 6, "Bookbinder; co-founder of La Marmite, Union des femmes."),
    Member("malon", "Benoît Malon", 17, "Dyer; mayor's deputy of the Batignolles."),
    Member("vermorel", "Auguste Vermorel", 18, "Journalist; Justice, then Public Safety."),
    Member("camelinat", "Zéphirin Camélinat", 11, "Bronze-worker; director of the Mint."),
    Member("vaillant", "Édouard Vaillant", 8, "Engineer and physician; delegate to Education."),
    Member("rigault", "Raoul Rigault", 8, "Student; prefect of police, then prosecutor."),
    Member("jbclement", "Jean-Baptiste Clément", 18, "Songwriter (Le Temps des cerises)."),
    Member("ferre", "Théophile Ferré", 18, "Clerk; Public Safety."),
    Member("theisz", "Albert Theisz", 18, "Bronze-chaser; director of the Posts."),
    Member("jourde", "Francis Jourde", 5, "Bank clerk; delegate to Finance."),
    Member("beslay", "Charles Beslay", 6, "Engineer; delegate to the Bank of France."),
    Member("protot", "Eugène Protot", 11, "Lawyer; delegate to Justice."),
    Member("grousset", "Paschal Grousset", 18, "Journalist; delegate to External Relations."),
    Member("andrieu", "Jules Andrieu", 1, "Teacher; delegate to Public Services."),
    Member("viard", "Auguste Viard", 20, "Trader; delegate to Subsistence."),
    Member("ranvier", "Gabriel Ranvier", 20, "Lacquer-painter; Military."),
    Member("avrial", "Augustin Avrial", 11, "Mechanic; Labour and Exchange."),
    Member("pindy", "Jean-Louis Pindy", 3, "Joiner; governor of the Hôtel de Ville."),
    Member("arnould", "Arthur Arnould", 4, "Writer; councillor for the 4th."),
    Member("lefrancais", "Gustave Lefrançais", 4, "Teacher; first Executive Commission."),
    Member("miot", "Jules Miot", 19, "Pharmacist; moved the Committee of Public Safety."),
    Member("leo", "André Léo", 17, "Novelist; Union des femmes, La Sociale."),
    Member("minck", "Paule Minck", 18, "Seamstress; ran a free school at Saint-Pierre."),
    Member("jaclard", "Anna Jaclard", 18, "Writer; Montmartre women's vigilance committee."),
    Member("lefebvre", "Blanche Lefebvre", 17, "Laundress; Union des femmes, Batignolles."),
    Member("allemane", "Jean Allemane", 5, "Typographer; National Guard, Panthéon."),
    Member("eudes", "Émile Eudes", 11, "Clerk; general of the National Guard."),
)

# Members whose credentials the demo prints first, for trying the web pages.
SHOWCASE: tuple[str, ...] = ("varlin", "michel", "frankel", "dmitrieff", "courbet")

MOTIONS: tuple[Motion, ...] = (
    Motion(
        key="rents",
        title="Remission of rents",
        source="Decree of 29 March 1871",
        text=(
            "A general remission is granted to tenants of the terms of October 1870, "
            "January and April 1871. Sums paid during those nine months shall count "
            "towards future terms. Leases may be ended at the tenant's wish for six "
            "months, and notices to quit given are extended by three months."
        ),
        mover="varlin",
        state="adopted",
        seconders=("frankel", "malon", "lemel", "theisz"),
        comments=(
            ("michel", "Montmartre cannot pay: the siege took the work and the wages."),
            ("beslay", "Owners of a single house will suffer too; let us hear them later."),
        ),
        ballots=_roll(
            yes=(
                "varlin michel frankel delescluze valles courbet dmitrieff lemel malon "
                "vermorel camelinat vaillant rigault jbclement ferre theisz jourde "
                "protot grousset andrieu viard ranvier avrial pindy arnould lefrancais "
                "miot leo minck jaclard"
            ),
            no="beslay",
            abstain="eudes",
        ),
    ),
    Motion(
        key="pay-cap",
        title="Officials' pay capped at 6,000 francs a year",
        source="Decree of 1 April 1871",
        text=(
            "Considering that the higher posts of public service have until now been "
            "paid so as to make them the prize of favour, and that in a truly "
            "democratic republic there can be neither sinecures nor exaggerated "
            "salaries: the highest pay of any employee of the Commune's services is "
            "fixed at 6,000 francs a year."
        ),
        mover="jourde",
        state="adopted",
        seconders=("varlin", "vaillant", "protot", "andrieu"),
        comments=(
            ("frankel", "A skilled worker earns about 1,500 francs; this keeps officials close."),
        ),
        ballots=_roll(
            yes=(
                "jourde varlin vaillant protot andrieu frankel malon michel lemel "
                "dmitrieff theisz avrial pindy camelinat jbclement ferre rigault "
                "grousset viard ranvier lefrancais arnould miot eudes"
            ),
            abstain="beslay",
        ),
    ),
    Motion(
        key="church-state",
        title="Separation of church and state",
        source="Decree of 2 April 1871",
        text=(
            "Considering that freedom of conscience is the first of freedoms: the "
            "Church is separated from the State; the budget of religions is "
            "abolished; the property of religious congregations, movable and "
            "immovable, is declared national property."
        ),
        mover="vaillant",
        state="adopted",
        seconders=("rigault", "valles", "arnould", "allemane"),
        amendments=(
            Amendment(
                "arnould",
                "An inquiry into the congregations' property",
                "An inquiry shall at once establish the nature of that property "
                "and put it at the nation's disposal.",
            ),
        ),
        ballots=_roll(
            yes=(
                "vaillant rigault valles arnould allemane ferre protot grousset michel "
                "minck jaclard leo varlin frankel courbet eudes ranvier miot malon"
            ),
            no="beslay",
            abstain="lefrancais",
        ),
    ),
    Motion(
        key="bakeries",
        title="Abolition of night work in bakeries",
        source="Decree of 20 April 1871",
        text=(
            "Night work is abolished in bakeries. No work shall begin before five "
            "o'clock in the morning. The placement offices for bakery workers are "
            "abolished; their function passes to the registers kept by the town "
            "halls of the arrondissements."
        ),
        mover="frankel",
        state="adopted",
        seconders=("avrial", "theisz", "malon", "lefrancais"),
        comments=(
            ("viard", "The master bakers warn of shortages at the morning markets."),
            ("frankel", "Bread baked by day feeds Paris as well; the journeymen sleep at night."),
        ),
        ballots=_roll(
            yes=(
                "frankel avrial theisz malon lefrancais varlin lemel dmitrieff michel "
                "vaillant camelinat pindy jbclement protot andrieu"
            ),
            no="viard beslay eudes",
            abstain="jourde",
        ),
    ),
    Motion(
        key="public-safety",
        title="A Committee of Public Safety",
        source="Motion of Jules Miot, voted 1 May 1871",
        text=(
            "A Committee of Public Safety of five members is created, elected by "
            "name by the Council, with the widest powers over all the delegations "
            "and commissions, answerable only to the Commune."
        ),
        mover="miot",
        state="rejected",
        seconders=("ranvier", "eudes", "rigault", "ferre"),
        comments=(
            ("varlin", "The Commune must not abdicate its sovereignty to a dictatorship."),
            ("valles", "Names from 1793 do not make a revolution."),
            ("rigault", "Paris is under siege; the commissions are too slow."),
        ),
        ballots=_roll(
            yes="miot ranvier eudes rigault ferre delescluze",
            no=(
                "varlin valles frankel courbet malon vermorel theisz jourde beslay "
                "arnould lefrancais avrial andrieu jbclement pindy"
            ),
        ),
        note=(
            "The Council adopted this motion 45 to 23 on 1 May 1871; the minority, "
            "among them Varlin, Frankel, Vallès, Courbet and Malon, protested on "
            "15 May. In the demo the assembly rejects it."
        ),
    ),
    Motion(
        key="expiatory-chapel",
        title="Demolition of the Expiatory Chapel",
        source="Decree of 5 May 1871",
        text=(
            "The chapel called expiatory of Louis XVI, rue d'Anjou, shall be "
            "demolished. Its materials shall be sold at public auction for the "
            "benefit of the public domain."
        ),
        mover="courbet",
        state="lapsed",
        seconders=("rigault", "ferre", "ranvier", "eudes"),
        ballots=_roll(
            yes="courbet rigault ferre",
            no="beslay",
        ),
        note=(
            "The decree was adopted but never carried out; in the demo too few "
            "members take part and the vote lapses for want of a quorum."
        ),
    ),
    Motion(
        key="workshops",
        title="Workshops abandoned by their owners handed to workers' cooperatives",
        source="Decree of 16 April 1871",
        text=(
            "Considering that many workshops have been abandoned by those who ran "
            "them, to escape their civic duties and without regard for the workers: "
            "the workers' trade councils are convened to set up a commission of "
            "inquiry that shall draw up a list of abandoned workshops and an "
            "inventory of their tools, and report on the practical means of "
            "starting them again at once, no longer by the deserters who abandoned "
            "them, but by the cooperative association of the workers who were "
            "employed there. A jury of arbitration shall settle, on the owners' "
            "return, the terms on which the workshops pass for good to the workers' "
            "societies and the compensation the societies owe the owners."
        ),
        mover="frankel",
        state="voting",
        seconders=("avrial", "varlin", "theisz", "malon", "camelinat"),
        comments=(
            ("avrial", "The mechanics' union already has a list of forty shops standing idle."),
            ("beslay", "Compensation must be fair, or credit will flee Paris."),
            ("dmitrieff", "Include the sewing workshops; the women of the Union will run them."),
        ),
        amendments=(
            Amendment(
                "dmitrieff",
                "Women workers in the inquiry",
                "The women workers' associations shall take part in the inquiry.",
            ),
        ),
        ballots=_roll(
            yes="frankel avrial varlin theisz malon camelinat dmitrieff lemel michel",
            no="beslay",
            abstain="jourde",
        ),
    ),
    Motion(
        key="fines",
        title="Fines and deductions from wages prohibited",
        source="Decree of 27 April 1871",
        text=(
            "Considering that fines and deductions from wages are a disguised cut in "
            "pay that benefits only the employer: no administration, public or "
            "private, may impose fines or deductions on the wages of workers."
        ),
        mover="frankel",
        state="deliberation",
        seconders=("avrial", "lefrancais", "malon", "theisz"),
        comments=(
            ("lemel", "In the bookbinding shops a minute late costs an hour's pay."),
            ("jourde", "Who will check the private workshops? Name the authority."),
        ),
        amendments=(
            Amendment(
                "malon",
                "Refund of the fines already taken",
                "Fines and deductions imposed since 18 March 1871 shall be "
                "refunded to the workers within two weeks.",
                accepted=False,
            ),
        ),
    ),
    Motion(
        key="pawnshop",
        title="Free release of pledges from the Mont-de-Piété",
        source="Decree of 6 May 1871",
        text=(
            "Every ticket of the Mont-de-Piété dated before 25 April 1871 for "
            "clothing, furniture, linen, books, bedding or tools of work, on a loan "
            "of no more than 20 francs, may be redeemed free of charge from 12 May."
        ),
        mover="jourde",
        state="seconding",
        seconders=("lemel",),
        comments=(("michel", "Half of Montmartre's tools are in pawn."),),
    ),
    Motion(
        key="teachers-pay",
        title="Equal pay for women and men teachers",
        source="Decree of 21 May 1871",
        text=(
            "Considering that the needs of life are the same for women and men "
            "teachers: the pay of teachers in the schools of the Commune is fixed "
            "at 2,000 francs a year for women and men alike, and that of assistant "
            "teachers at 1,500 francs."
        ),
        mover="vaillant",
        state="draft",
    ),
    Motion(
        key="bills",
        title="Commercial bills repayable in instalments",
        source="Decree of 16 April 1871",
        text=(
            "Commercial debts of every kind falling due are repayable in twelve "
            "equal quarterly instalments from 15 July 1871, without interest."
        ),
        mover="beslay",
        state="withdrawn",
        seconders=("jourde",),
        withdrawal_reason="Withdrawn in favour of the Finance Commission's fuller text.",
    ),
)

MOTION_STATES: tuple[str, ...] = (
    "draft",
    "seconding",
    "deliberation",
    "voting",
    "adopted",
    "rejected",
    "lapsed",
    "withdrawn",
)


def member(handle: str) -> Member:
    """The demo member with this handle."""
    for candidate in MEMBERS:
        if candidate.handle == handle:
            return candidate
    raise KeyError(handle)
