"""Reference rules of identity documents, with their legal source.

CCCD numbers (and the 12-digit personal identification number behind them) are structured by
Circular 07/2016/TT-BCA of the Ministry of Public Security, Article 7 (kept by Circular 59/2021/TT-BCA):
  digits 1-3  code of the province where the birth was registered (Annex I of the circular)
  digit 4     century of birth and sex: 0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s, 6/7, 8/9
  digits 5-6  last two digits of the birth year
  digits 7-12 a random number
"""

CCCD_SOURCE = "Circular 07/2016/TT-BCA, Art. 7 and Annex I (Ministry of Public Security)"

# Annex I: the 63 province codes of 2016-2025 (the birth-registration province is kept after mergers).
CCCD_PROVINCE_CODES = frozenset(
    [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)

# Digit 4: (first year of the century, sex) for each value.
CCCD_CENTURY_SEX = {
    0: (1900, "M"), 1: (1900, "F"),
    2: (2000, "M"), 3: (2000, "F"),
    4: (2100, "M"), 5: (2100, "F"),
    6: (2200, "M"), 7: (2200, "F"),
    8: (2300, "M"), 9: (2300, "F"),
}  # fmt: skip

# Mobile prefixes renumbered from 11 to 10 digits in 2018 (MIC Decision 798/QĐ-BTTTT, 2018):
# legacy records still carry the old ones.
OLD_MOBILE_PREFIXES = {
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37", "168": "38", "169": "39",
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
    "186": "56", "188": "58", "199": "59",
}  # fmt: skip
MOBILE_FIRST_DIGITS = frozenset("35789")
