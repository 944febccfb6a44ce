"""Read ISO 20022 bank-to-customer files: camt.054 (debit/credit notification, how Swiss
banks report QR-bill payments) and camt.053 (the account statement).

Pure parsing, no database. Versions 001.04 (Swiss Payment Standards 2018/SPS 1.x) and
001.08 (ISO 2019, SPS 2.x) differ where we read: the entry status is a bare code in .04
(<Sts>BOOK</Sts>) and a choice in .08 (<Sts><Cd>BOOK</Cd></Sts>); the debtor's name is
RltdPties/Dbtr/Nm in .04 and RltdPties/Dbtr/Pty/Nm in .08 (Cdtr for money out). Both are
read, and any other version of the two messages is read the same way (the elements we use
did not move).

A Swiss bank books QR-bill payments as one entry per payment or as a batch (one <Ntry>
with many <TxDtls>, "Sammelgutschrift"); each transaction becomes one payment. The QR
reference is RmtInf/Strd/CdtrRefInf/Ref with Tp/CdOrPrtry/Prtry = QRR (SCOR for an ISO
11649 creditor reference). A returned payment is money out (DBIT), with <RvslInd>true</RvslInd>
when the bank reverses its own credit: ISO 20022 reads CdtDbtInd as the direction of this
booking, whatever it reverses. The XML is parsed with defusedxml: a bank file is outside input.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: S405 (types only; parsing goes through defusedxml)
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from defusedxml import ElementTree as SafeET

_NAMESPACE = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:(camt\.05[34])\.(\d{3}\.\d{2})\}")
ROOTS = {"camt.054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn"), "camt.053": ("BkToCstmrStmt", "Stmt")}


class CamtError(ValueError):
    """The file is no camt.053 or camt.054 message we can read."""


@dataclass
class Transaction:
    amount: Decimal
    currency: str
    credit: bool
    reversal: bool
    booked: bool
    booked_on: dt.date | None
    value_date: dt.date | None
    account_iban: str
    reference: str = ""
    reference_type: str = ""
    debtor_name: str = ""
    remittance: str = ""
    entry_reference: str = ""  # the bank's reference of the booking (entry)
    bank_reference: str = ""  # the bank's reference of this transaction, when it gives one
    end_to_end_id: str = ""
    index_in_entry: int = 0

    @property
    def dedupe_key(self) -> str:
        """The same transaction, reported in a camt.054 and again in the day's camt.053,
        gives the same key: the bank's reference where there is one, else what it is."""
        own = self.bank_reference or self.end_to_end_id
        if own and own != "NOTPROVIDED":
            # A return often carries the end-to-end id of the credit it takes back.
            money_out = "" if self.credit else "|D"
            return f"{self.account_iban}|{own}|{self.amount}{money_out}"
        return "|".join(
            [
                self.account_iban,
                str(self.booked_on or ""),
                str(self.amount),
                self.currency,
                self.reference,
                self.entry_reference,
                str(self.index_in_entry),
                "C" if self.credit else "D",
            ]
        )


@dataclass
class CamtFile:
    message: str  # camt.053 | camt.054
    version: str  # 001.04, 001.08...
    message_id: str
    account_iban: str
    accounts: list[str] = field(default_factory=list)  # every report's IBAN ("" when none)
    transactions: list[Transaction] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Reader:
    """ElementTree lookups in the file's own namespace, by local path ("Acct/Id/IBAN")."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def path(self, steps: str) -> str:
        return "/".join(f"{{{self.ns}}}{step}" for step in steps.split("/"))

    def find(self, node: ET.Element | None, steps: str) -> ET.Element | None:
        return None if node is None else node.find(self.path(steps))

    def findall(self, node: ET.Element, steps: str) -> list[ET.Element]:
        return node.findall(self.path(steps))

    def text(self, node: ET.Element | None, *paths: str) -> str:
        for steps in paths:
            found = self.find(node, steps)
            if found is not None and (found.text or "").strip():
                return " ".join(found.text.split())
        return ""

    def date(self, node: ET.Element | None) -> dt.date | None:
        """A <BookgDt>/<ValDt>: <Dt> or <DtTm>."""
        value = self.text(node, "Dt") or self.text(node, "DtTm")[:10]
        try:
            return dt.date.fromisoformat(value) if value else None
        except ValueError:
            return None


def _amount(node: ET.Element | None) -> tuple[Decimal, str] | None:
    if node is None:
        return None
    try:
        value = Decimal((node.text or "").strip())
    except InvalidOperation as exc:
        raise CamtError(f"An amount is not a number: {node.text!r}") from exc
    return value, node.get("Ccy", "")


def parse(data: bytes) -> CamtFile:
    """Every booking of the file, one transaction per <TxDtls> (or per <Ntry> without)."""
    try:
        root = SafeET.fromstring(data)
    except (SafeET.ParseError, ValueError) as exc:
        raise CamtError(f"Not well-formed XML: {exc}") from exc
    except Exception as exc:  # defusedxml refuses entities and DTDs: not a bank's file
        raise CamtError(f"Refused XML: {exc}") from exc
    match = _NAMESPACE.match(root.tag)
    if match is None or _local(root.tag) != "Document":
        raise CamtError("Not an ISO 20022 camt.053 or camt.054 document.")
    message, version = match.group(1), match.group(2)
    namespace = root.tag[1:].split("}")[0]
    r = _Reader(namespace)
    body_name, report_name = ROOTS[message]
    body = r.find(root, body_name)
    if body is None:
        raise CamtError(f"A {message} document without <{body_name}>.")
    parsed = CamtFile(
        message=message,
        version=version,
        message_id=r.text(body, "GrpHdr/MsgId"),
        account_iban="",
    )
    for report in r.findall(body, report_name):
        iban = r.text(report, "Acct/Id/IBAN").replace(" ", "")
        parsed.account_iban = parsed.account_iban or iban
        if iban not in parsed.accounts:
            parsed.accounts.append(iban)
        for entry in r.findall(report, "Ntry"):
            parsed.transactions.extend(_entry(r, entry, iban))
    return parsed


def _entry(r: _Reader, entry: ET.Element, iban: str) -> list[Transaction]:
    entry_amount = _amount(r.find(entry, "Amt"))
    if entry_amount is None:
        raise CamtError("An entry without an amount.")
    credit = r.text(entry, "CdtDbtInd") == "CRDT"
    status = r.text(entry, "Sts/Cd", "Sts") or "BOOK"
    base = {
        "reversal": r.text(entry, "RvslInd").lower() == "true",
        "booked": status == "BOOK",
        "booked_on": r.date(r.find(entry, "BookgDt")),
        "value_date": r.date(r.find(entry, "ValDt")),
        "account_iban": iban,
        "entry_reference": r.text(entry, "AcctSvcrRef", "NtryRef"),
    }
    details = r.findall(entry, "NtryDtls/TxDtls")
    if not details:
        return [
            Transaction(
                amount=entry_amount[0],
                currency=entry_amount[1],
                credit=credit,
                remittance=r.text(entry, "AddtlNtryInf"),
                bank_reference=base["entry_reference"],
                **base,
            )
        ]
    out = []
    for index, tx in enumerate(details):
        amount = _amount(r.find(tx, "Amt")) or _amount(r.find(tx, "AmtDtls/TxAmt/Amt"))
        if amount is None:
            if len(details) > 1:
                raise CamtError("A batch transaction without its own amount.")
            amount = entry_amount
        tx_credit = r.text(tx, "CdtDbtInd")
        tx_is_credit = (tx_credit == "CRDT") if tx_credit else credit
        reference, reference_type = _reference(r, tx)
        remittance = [" ".join((node.text or "").split()) for node in r.findall(tx, "RmtInf/Ustrd")]
        out.append(
            Transaction(
                amount=amount[0],
                currency=amount[1],
                credit=tx_is_credit,
                reference=reference,
                reference_type=reference_type,
                debtor_name=_counterparty(r, tx, tx_is_credit),
                remittance=" ".join(part for part in remittance if part)[:1000],
                bank_reference=r.text(tx, "Refs/AcctSvcrRef"),
                end_to_end_id=r.text(tx, "Refs/EndToEndId"),
                index_in_entry=index,
                **base,
            )
        )
    return out


def _counterparty(r: _Reader, tx: ET.Element, credit: bool) -> str:
    """Who paid us, or, for money out (a return), who the bank paid it back to."""
    payer = ("RltdPties/Dbtr/Pty/Nm", "RltdPties/Dbtr/Nm")
    payee = ("RltdPties/Cdtr/Pty/Nm", "RltdPties/Cdtr/Nm")
    return r.text(tx, *(payer if credit else payee + payer))


def _reference(r: _Reader, tx: ET.Element) -> tuple[str, str]:
    """The creditor reference and its type (QRR, SCOR, or the bank's own word)."""
    for info in r.findall(tx, "RmtInf/Strd/CdtrRefInf"):
        ref = r.text(info, "Ref").replace(" ", "")
        if ref:
            kind = r.text(info, "Tp/CdOrPrtry/Prtry", "Tp/CdOrPrtry/Cd").upper()
            if not kind:
                kind = "QRR" if ref.isdigit() and len(ref) == 27 else ""
                kind = kind or ("SCOR" if ref.upper().startswith("RF") else "")
            return ref, kind[:8]
    return "", ""
