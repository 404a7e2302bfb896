"""The extract format of each 2021 source: file name, file type and fields, in one place.

The generator writes these files and the adapters read them; `docs/legacy-formats.md` explains each field.
The real export formats were never published: these are modelled on what each app collected.
"""

from dataclasses import dataclass
from enum import StrEnum


class FileKind(StrEnum):
    CSV = "csv"  # UTF-8, comma separated, a header row
    JSONL = "jsonl"  # UTF-8, one JSON object per line, every field present (empty string when unknown)
    XLSX = "xlsx"  # one sheet, a header row, every cell text


@dataclass(frozen=True)
class ExtractFormat:
    source: str
    title: str
    file_name: str
    kind: FileKind
    fields: tuple[str, ...]
    record_id: str  # the field that names a record inside its source (what the truth file refers to)
    sheet: str = ""  # the sheet name of an Excel extract

    def __post_init__(self) -> None:
        if self.record_id not in self.fields:
            raise ValueError(f"{self.source}: record id {self.record_id!r} is not one of its fields")


BLUEZONE = ExtractFormat(
    source="bluezone",
    title="Bluezone (Bluetooth contact tracing app)",
    file_name="bluezone.csv",
    kind=FileKind.CSV,
    fields=("record_id", "bluezone_id", "phone", "registered_at"),
    record_id="record_id",
)
NCOVI = ExtractFormat(
    source="ncovi",
    title="NCOVI app and tokhaiyte.vn (domestic and entry health declarations)",
    file_name="ncovi.jsonl",
    kind=FileKind.JSONL,
    fields=(
        "record_id",
        "declaration_type",
        "declared_at",
        "phone",
        "full_name",
        "birth_date",
        "sex",
        "id_number",
        "address",
        "symptoms",
        "exposure",
        "entry_gate",
        "flight",
    ),
    record_id="record_id",
)
VNEID = ExtractFormat(
    source="vneid",
    title="VNEID (declarations keyed by the citizen ID)",
    file_name="vneid.jsonl",
    kind=FileKind.JSONL,
    fields=(
        "record_id",
        "cccd",
        "full_name",
        "birth_date",
        "sex",
        "phone",
        "address",
        "declared_at",
        "health",
    ),
    record_id="record_id",
)
VACCINATION = ExtractFormat(
    source="vaccination",
    title="Electronic health book and vaccination portal (dose records)",
    file_name="vaccination.csv",
    kind=FileKind.CSV,
    fields=(
        "record_id",
        "id_type",
        "id_number",
        "full_name",
        "birth_date",
        "sex",
        "phone",
        "address",
        "dose_number",
        "vaccine",
        "lot",
        "vaccinated_on",
        "site",
    ),
    record_id="record_id",
)
WARD_TESTS = ExtractFormat(
    source="ward_tests",
    title="Ward lists of test results (Excel)",
    file_name="ward_tests.xlsx",
    kind=FileKind.XLSX,
    sheet="Ket qua xet nghiem",
    fields=(
        "STT",
        "Họ và tên",
        "Năm sinh",
        "Giới tính",
        "Số CMND/CCCD",
        "Số điện thoại",
        "Địa chỉ",
        "Phường/Xã",
        "Ngày lấy mẫu",
        "Loại xét nghiệm",
        "Kết quả",
    ),
    record_id="STT",
)
WARD_VACCINATIONS = ExtractFormat(
    source="ward_vaccinations",
    title="Ward vaccination lists (Excel)",
    file_name="ward_vaccinations.xlsx",
    kind=FileKind.XLSX,
    sheet="Danh sach tiem",
    fields=(
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số CMND/CCCD",
        "Số điện thoại",
        "Địa chỉ",
        "Phường/Xã",
        "Mũi",
        "Loại vắc xin",
        "Ngày tiêm",
    ),
    record_id="STT",
)
SOCIAL_INSURANCE = ExtractFormat(
    source="social_insurance",
    title="Social-insurance register (health insurance cards)",
    file_name="social_insurance.csv",
    kind=FileKind.CSV,
    fields=(
        "record_id",
        "card_number",
        "social_insurance_number",
        "full_name",
        "birth_date",
        "sex",
        "cccd",
        "address",
        "facility",
        "valid_from",
        "valid_to",
    ),
    record_id="record_id",
)

SOURCES: dict[str, ExtractFormat] = {
    extract.source: extract
    for extract in (BLUEZONE, NCOVI, VNEID, VACCINATION, WARD_TESTS, WARD_VACCINATIONS, SOCIAL_INSURANCE)
}

# Written by the generator beside the extracts; the pipeline never reads it (only evaluation does).
TRUTH_FILE = "truth.csv"
TRUTH_FIELDS = ("source", "record_id", "qid")
