"""Reference data for the replica's signature breakdowns: countries, regions, constituencies.

Countries, regions and the Welsh, Scottish and Northern Irish constituencies carry
real names and codes. England's 533 constituency names are made from real town
names (not the real list) and every MP name is invented, so that no real person
is quoted as the MP of a made-up seat.
"""

from __future__ import annotations

from dataclasses import dataclass

# ISO 3166-1 alpha-2 code and the name the e-petitions site shows, "|"-separated.
_COUNTRIES = (
    "GB:United Kingdom|AF:Afghanistan|AL:Albania|DZ:Algeria|AD:Andorra|AO:Angola|AG:Antigua and Barbuda|"
    "AR:Argentina|AM:Armenia|AU:Australia|AT:Austria|AZ:Azerbaijan|BS:The Bahamas|BH:Bahrain|BD:Bangladesh|"
    "BB:Barbados|BY:Belarus|BE:Belgium|BZ:Belize|BJ:Benin|BT:Bhutan|BO:Bolivia|BA:Bosnia and Herzegovina|"
    "BW:Botswana|BR:Brazil|BN:Brunei|BG:Bulgaria|BF:Burkina Faso|BI:Burundi|KH:Cambodia|CM:Cameroon|CA:Canada|"
    "CV:Cape Verde|CF:Central African Republic|TD:Chad|CL:Chile|CN:China|CO:Colombia|KM:Comoros|CG:Congo|"
    "CD:Congo (Democratic Republic)|CR:Costa Rica|HR:Croatia|CU:Cuba|CY:Cyprus|CZ:Czechia|DK:Denmark|"
    "DJ:Djibouti|DM:Dominica|DO:Dominican Republic|TL:East Timor|EC:Ecuador|EG:Egypt|SV:El Salvador|"
    "GQ:Equatorial Guinea|ER:Eritrea|EE:Estonia|SZ:Eswatini|ET:Ethiopia|FJ:Fiji|FI:Finland|FR:France|GA:Gabon|"
    "GE:Georgia|DE:Germany|GH:Ghana|GR:Greece|GD:Grenada|GT:Guatemala|GN:Guinea|GW:Guinea-Bissau|GY:Guyana|"
    "HT:Haiti|HN:Honduras|HU:Hungary|IS:Iceland|IN:India|ID:Indonesia|IR:Iran|IQ:Iraq|IE:Ireland|IL:Israel|"
    "IT:Italy|CI:Ivory Coast|JM:Jamaica|JP:Japan|JO:Jordan|KZ:Kazakhstan|KE:Kenya|KI:Kiribati|XK:Kosovo|"
    "KW:Kuwait|KG:Kyrgyzstan|LA:Laos|LV:Latvia|LB:Lebanon|LS:Lesotho|LR:Liberia|LY:Libya|LI:Liechtenstein|"
    "LT:Lithuania|LU:Luxembourg|MG:Madagascar|MW:Malawi|MY:Malaysia|MV:Maldives|ML:Mali|MT:Malta|"
    "MH:Marshall Islands|MR:Mauritania|MU:Mauritius|MX:Mexico|FM:Micronesia|MD:Moldova|MC:Monaco|MN:Mongolia|"
    "ME:Montenegro|MA:Morocco|MZ:Mozambique|MM:Myanmar (Burma)|NA:Namibia|NR:Nauru|NP:Nepal|NL:Netherlands|"
    "NZ:New Zealand|NI:Nicaragua|NE:Niger|NG:Nigeria|KP:North Korea|MK:North Macedonia|NO:Norway|OM:Oman|"
    "PK:Pakistan|PW:Palau|PA:Panama|PG:Papua New Guinea|PY:Paraguay|PE:Peru|PH:Philippines|PL:Poland|"
    "PT:Portugal|QA:Qatar|RO:Romania|RU:Russia|RW:Rwanda|KN:St Kitts and Nevis|LC:St Lucia|"
    "VC:St Vincent|WS:Samoa|SM:San Marino|ST:Sao Tome and Principe|SA:Saudi Arabia|SN:Senegal|RS:Serbia|"
    "SC:Seychelles|SL:Sierra Leone|SG:Singapore|SK:Slovakia|SI:Slovenia|SB:Solomon Islands|SO:Somalia|"
    "ZA:South Africa|KR:South Korea|SS:South Sudan|ES:Spain|LK:Sri Lanka|SD:Sudan|SR:Suriname|SE:Sweden|"
    "CH:Switzerland|SY:Syria|TJ:Tajikistan|TZ:Tanzania|TH:Thailand|GM:The Gambia|TG:Togo|TO:Tonga|"
    "TT:Trinidad and Tobago|TN:Tunisia|TR:Turkey|TM:Turkmenistan|TV:Tuvalu|UG:Uganda|UA:Ukraine|"
    "AE:United Arab Emirates|US:United States|UY:Uruguay|UZ:Uzbekistan|VU:Vanuatu|VA:Vatican City|"
    "VE:Venezuela|VN:Vietnam|YE:Yemen|ZM:Zambia|ZW:Zimbabwe|AI:Anguilla|BM:Bermuda|VG:British Virgin Islands|"
    "KY:Cayman Islands|FK:Falkland Islands|GI:Gibraltar|GG:Guernsey|HK:Hong Kong|IM:Isle of Man|JE:Jersey|"
    "MS:Montserrat|PN:Pitcairn, Henderson, Ducie and Oeno Islands|SH:St Helena, Ascension and Tristan da Cunha|"
    "TC:Turks and Caicos Islands|PS:Occupied Palestinian Territories|TW:Taiwan|MO:Macao"
)

# (name, ONS code) of the twelve regions, in the site's order.
REGIONS: tuple[tuple[str, str], ...] = (
    ("North East", "E15000001"), ("North West", "E15000002"),
    ("Yorkshire and The Humber", "E15000003"), ("East Midlands", "E15000004"),
    ("West Midlands", "E15000005"), ("East of England", "E15000006"),
    ("London", "E15000007"), ("South East", "E15000008"), ("South West", "E15000009"),
    ("Wales", "W92000004"), ("Scotland", "S92000003"), ("Northern Ireland", "N92000002"),
)

# Seats per English region (2010-2024 boundaries): they add up to 533.
_ENGLISH_SEATS = (29, 75, 54, 46, 59, 58, 73, 84, 55)

_ENGLISH_TOWNS = (
    "Aldershot|Ashford|Aylesbury|Banbury|Barnsley|Basildon|Basingstoke|Bassetlaw|Bath|Battersea|Bedford|"
    "Beverley|Bexhill|Birkenhead|Bishop Auckland|Blackburn|Blackpool|Blyth Valley|Bognor Regis|Bolton|Bootle|"
    "Boston|Bournemouth|Bracknell|Bradford|Braintree|Brentford|Brentwood|Bridgwater|Brighton|Bristol|Bromley|"
    "Bromsgrove|Broxbourne|Broxtowe|Burnley|Burton|Bury|Cambridge|Camborne|Cannock Chase|Canterbury|Carlisle|"
    "Carshalton|Castle Point|Chatham|Cheadle|Chelmsford|Cheltenham|Chesham|Chester|Chesterfield|Chichester|"
    "Chingford|Chippenham|Chorley|Christchurch|Colchester|Congleton|Copeland|Corby|Coventry|Crawley|Crewe|"
    "Croydon|Dagenham|Darlington|Dartford|Daventry|Derby|Dewsbury|Doncaster|Dover|Dudley|Durham|Ealing|"
    "Eastbourne|Eastleigh|Eltham|Enfield|Epping Forest|Epsom|Erewash|Exeter|Fareham|Faversham|Finchley|"
    "Folkestone|Gainsborough|Gateshead|Gedling|Gillingham|Gloucester|Gosport|Grantham|Gravesham|Great Grimsby|"
    "Great Yarmouth|Guildford|Hackney|Halesowen|Halifax|Harlow|Harrogate|Hartlepool|Harwich|Hastings|Havant|"
    "Hemel Hempstead|Hendon|Hereford|Hertford|Hexham|Heywood|High Peak|Hitchin|Horsham|Houghton|Hove|"
    "Huddersfield|Huntingdon|Hyndburn|Ilford|Ipswich|Isle of Wight|Kenilworth|Kettering|Kingston|Knowsley|"
    "Lancaster|Leeds|Leicester|Lewes|Lewisham|Lichfield|Lincoln|Liverpool|Loughborough|Louth|Ludlow|Luton|"
    "Macclesfield|Maidenhead|Maidstone|Maldon|Manchester|Mansfield|Mid Bedfordshire|Middlesbrough|Milton Keynes|"
    "Mitcham|Morecambe|Morley|Newark|Newbury|Newcastle|Northampton|Norwich|Nottingham|Nuneaton|Oldham|Oxford|"
    "Pendle|Penistone|Penrith|Peterborough|Plymouth|Poole|Portsmouth|Preston|Pudsey|Putney|Reading|Redcar|"
    "Redditch|Reigate|Ribble Valley|Richmond|Rochdale|Rochester|Romford|Romsey|Rossendale|Rother Valley|"
    "Rotherham|Rugby|Runnymede|Rushcliffe|Salford|Salisbury|Scarborough|Scunthorpe|Sedgefield|Sefton|Selby|"
    "Sevenoaks|Sheffield|Shipley|Shrewsbury|Sittingbourne|Skipton|Slough|Solihull|Southampton|Southend|"
    "Southport|Spelthorne|Stafford|Stalybridge|Stevenage|Stockport|Stockton|Stoke-on-Trent|Stone|Stourbridge|"
    "Stratford-on-Avon|Stroud|Sunderland|Sutton|Swindon|Tamworth|Tatton|Taunton|Telford|Tewkesbury|Thanet|"
    "Thirsk|Thurrock|Tiverton|Tonbridge|Torbay|Totnes|Tottenham|Truro|Tunbridge Wells|Twickenham|Tynemouth|"
    "Uxbridge|Wakefield|Wallasey|Walsall|Wansbeck|Warrington|Warwick|Watford|Waveney|Wealden|Wellingborough|"
    "Wells|Welwyn Hatfield|Wentworth|West Bromwich|Weston-super-Mare|Wigan|Wimbledon|Winchester|Windsor|"
    "Wirral|Witham|Witney|Woking|Wokingham|Wolverhampton|Worcester|Workington|Worsley|Worthing|Wrekin|"
    "Wycombe|Wyre Forest|Yeovil|York"
)

_WELSH = (
    "Aberavon|Aberconwy|Alyn and Deeside|Arfon|Blaenau Gwent|Brecon and Radnorshire|Bridgend|Caerphilly|"
    "Cardiff Central|Cardiff North|Cardiff South and Penarth|Cardiff West|Carmarthen East and Dinefwr|"
    "Carmarthen West and South Pembrokeshire|Ceredigion|Clwyd South|Clwyd West|Cynon Valley|Delyn|"
    "Dwyfor Meirionnydd|Gower|Islwyn|Llanelli|Merthyr Tydfil and Rhymney|Monmouth|Montgomeryshire|Neath|"
    "Newport East|Newport West|Ogmore|Pontypridd|Preseli Pembrokeshire|Rhondda|Swansea East|Swansea West|"
    "Torfaen|Vale of Clwyd|Vale of Glamorgan|Wrexham|Ynys Môn"
)

_SCOTTISH = (
    "Aberdeen North|Aberdeen South|Airdrie and Shotts|Angus|Argyll and Bute|Ayr, Carrick and Cumnock|"
    "Banff and Buchan|Berwickshire, Roxburgh and Selkirk|Caithness, Sutherland and Easter Ross|"
    "Central Ayrshire|Coatbridge, Chryston and Bellshill|Cumbernauld, Kilsyth and Kirkintilloch East|"
    "Dumfries and Galloway|Dumfriesshire, Clydesdale and Tweeddale|Dundee East|Dundee West|"
    "Dunfermline and West Fife|East Dunbartonshire|East Kilbride, Strathaven and Lesmahagow|East Lothian|"
    "East Renfrewshire|Edinburgh East|Edinburgh North and Leith|Edinburgh South|Edinburgh South West|"
    "Edinburgh West|Falkirk|Glasgow Central|Glasgow East|Glasgow North|Glasgow North East|Glasgow North West|"
    "Glasgow South|Glasgow South West|Glenrothes|Gordon|Inverclyde|Inverness, Nairn, Badenoch and Strathspey|"
    "Kilmarnock and Loudoun|Kirkcaldy and Cowdenbeath|Lanark and Hamilton East|Linlithgow and East Falkirk|"
    "Livingston|Midlothian|Moray|Motherwell and Wishaw|Na h-Eileanan an Iar|North Ayrshire and Arran|"
    "North East Fife|Ochil and South Perthshire|Orkney and Shetland|Paisley and Renfrewshire North|"
    "Paisley and Renfrewshire South|Perth and North Perthshire|Ross, Skye and Lochaber|"
    "Rutherglen and Hamilton West|Stirling|West Aberdeenshire and Kincardine|West Dunbartonshire"
)

_NORTHERN_IRISH = (
    "Belfast East|Belfast North|Belfast South|Belfast West|East Antrim|East Londonderry|"
    "Fermanagh and South Tyrone|Foyle|Lagan Valley|Mid Ulster|Newry and Armagh|North Antrim|North Down|"
    "South Antrim|South Down|Strangford|Upper Bann|West Tyrone"
)

_FIRST_NAMES = (
    "Alex Amira Ben Carys Chloe Daniel Deborah Eilidh Fiona Gareth Grace Hamish Hannah Imran Isla James "
    "Joanna Kieran Laura Liam Mairead Mark Nadia Niall Olivia Owen Priya Rachel Rhys Ruth Sam Sarah Tom Yusuf"
).split()
_SURNAMES = (
    "Ahmed Allen Bailey Baker Campbell Clarke Davies Edwards Evans Fraser Green Hall Hughes Hussain Jones "
    "Kelly Khan Lewis MacDonald Martin Morgan Murphy Owen Patel Price Reid Roberts Robertson Shaw Smith "
    "Stewart Taylor Thomas Walker Watson White Williams Wilson Wright Young"
).split()


@dataclass(frozen=True, slots=True)
class Constituency:
    """A constituency as the breakdown lists it, with the index of its region."""

    name: str
    ons_code: str
    mp: str
    region: int


def _split(packed: str) -> list[str]:
    return packed.split("|")


def _english_names() -> list[str]:
    towns = _split(_ENGLISH_TOWNS)
    names = list(towns)
    for suffix in ("North", "South", "East", "West", "Central"):
        names += [f"{town} {suffix}" for town in towns]
    return names[:sum(_ENGLISH_SEATS)]


def _mp(index: int) -> str:
    # Two coprime strides spread the names so neighbours rarely share one.
    return f"{_FIRST_NAMES[index * 7 % len(_FIRST_NAMES)]} {_SURNAMES[index * 11 % len(_SURNAMES)]} MP"


def _constituencies() -> tuple[Constituency, ...]:
    seats: list[Constituency] = []
    english = iter(_english_names())
    for region, count in enumerate(_ENGLISH_SEATS):
        for _ in range(count):
            seats.append(Constituency(next(english), f"E{14000530 + len(seats):08d}", "", region))
    # Real code ranges: W07000041-80, S14000001-59 (with the real list's order), N06000001-18.
    nations = ((_WELSH, "W07", 41, 9), (_SCOTTISH, "S14", 1, 10), (_NORTHERN_IRISH, "N06", 1, 11))
    for packed, prefix, first, region in nations:
        for offset, name in enumerate(_split(packed)):
            seats.append(Constituency(name, f"{prefix}{first + offset:06d}", "", region))
    return tuple(
        Constituency(seat.name, seat.ons_code, _mp(index), seat.region) for index, seat in enumerate(seats)
    )


COUNTRIES: tuple[tuple[str, str], ...] = tuple(
    (code, name) for code, name in (item.split(":", 1) for item in _split(_COUNTRIES))
)
CONSTITUENCIES: tuple[Constituency, ...] = _constituencies()

# Departments a replica petition may be assigned to, with the topic code that goes with each.
DEPARTMENTS: tuple[tuple[dict[str, str], str], ...] = tuple(
    ({"acronym": acronym, "name": name, "url": f"https://www.gov.uk/government/organisations/{slug}"}, topic)
    for acronym, name, slug, topic in (
        ("DHSC", "Department of Health and Social Care", "department-of-health-and-social-care", "health"),
        ("DfE", "Department for Education", "department-for-education", "education"),
        ("HO", "Home Office", "home-office", "immigration"),
        ("HMT", "HM Treasury", "hm-treasury", "economy"),
        ("DEFRA", "Department for Environment, Food & Rural Affairs",
         "department-for-environment-food-rural-affairs", "environment"),
        ("DfT", "Department for Transport", "department-for-transport", "transport"),
        ("FCDO", "Foreign, Commonwealth & Development Office",
         "foreign-commonwealth-development-office", "foreign-affairs"),
        ("MoJ", "Ministry of Justice", "ministry-of-justice", "justice"),
    )
)


def person_name(seed: int) -> str:
    """Return an invented person's name, the same for the same seed."""
    return f"{_FIRST_NAMES[seed * 5 % len(_FIRST_NAMES)]} {_SURNAMES[seed * 3 % len(_SURNAMES)]}"
