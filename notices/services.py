"""Drafting, editing, approving and publishing circulars. Every act is in the audit log.

Publication is one transaction: the 文号 is taken from the year's sequence under a row lock,
the PDF is rendered and signed, the files are written once, and the circular is frozen with a
snapshot of what it printed. If any step fails nothing is kept, so no number is skipped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audits.models import Period
from core.auditlog import audit_record
from notices import annexes, drafting
from notices.document import Annex, CircularDocument, Section
from notices.models import Circular, DocNumber, Office
from notices.report import build_report
from units.access import is_lead, is_office

EDITABLE = ("title", "recipients", "preamble", "overall", "problems", "next_steps", "issuer")


def doc_number_text(prefix: str, year: int, serial: int) -> str:
    """GB/T 9704 7.2.5: year in 六角括号, the number without leading zeros and without 第."""
    return f"{prefix}〔{year}〕{serial}号"


def next_doc_number(office: Office, year: int) -> str:
    """The number the next publication would take (shown on drafts; taken only at publication)."""
    row = DocNumber.objects.filter(prefix=office.doc_prefix, year=year).first()
    return doc_number_text(office.doc_prefix, year, (row.last if row else 0) + 1)


@transaction.atomic
def circular_draft(
    period: Period,
    *,
    user,
    annex_kinds=annexes.DEFAULT_KINDS,
    corrects: Circular | None = None,
    issued_on: dt.date | None = None,
) -> Circular:
    """A new draft for a period, its words generated from the verdicts."""
    if not is_office(user):
        raise PermissionError("只有政务公开办可以起草通报")
    office = Office.current()
    report = build_report(period)
    title = drafting.title_for(report)
    if corrects is not None:
        if not corrects.is_published:
            raise ValueError("只能更正已发布的通报")
        title = f"关于更正{corrects.doc_number}的通报"
    circular = Circular.objects.create(
        office=office,
        period=period,
        title=title,
        recipients=office.recipients,
        preamble=drafting.preamble_for(report, office.name),
        overall=drafting.overall_for(report),
        problems=drafting.problems_for(report),
        next_steps=office.next_steps,
        issuer=office.name,
        issued_on=issued_on or timezone.localdate(),
        annexes=list(annex_kinds),
        corrects=corrects,
        created_by=user,
    )
    audit_record(
        actor=user,
        action="circular_draft",
        target=circular,
        after={"title": circular.title, "period": period.code},
        corrects=corrects.pk if corrects else None,
    )
    return circular


def _check_editable(circular: Circular) -> None:
    if circular.is_published:
        raise ValueError("已发布的通报不能修改；如需更正，请起草一份更正通报")


@transaction.atomic
def circular_update(circular: Circular, *, user, annex_kinds=None, **texts) -> Circular:
    """Staff edit the words (any of EDITABLE) and choose the annexes; editing an approved
    draft sends it back to 草稿 (the lead approves what is published)."""
    _check_editable(circular)
    before, after = {}, {}
    for name, value in texts.items():
        if name not in EDITABLE:
            raise ValueError(name)
        if getattr(circular, name) != value:
            before[name], after[name] = getattr(circular, name), value
            setattr(circular, name, value)
    if annex_kinds is not None and list(annex_kinds) != circular.annexes:
        before["annexes"], after["annexes"] = circular.annexes, list(annex_kinds)
        circular.annexes = list(annex_kinds)
    if not after:
        return circular
    if circular.status == Circular.Status.APPROVED:
        circular.status = Circular.Status.DRAFT
        circular.approved_by, circular.approved_at = None, None
        after["status"] = Circular.Status.DRAFT
    circular.save()
    audit_record(actor=user, action="circular_edit", target=circular, before=before, after=after)
    return circular


@transaction.atomic
def circular_approve(circular: Circular, *, user) -> Circular:
    if not is_lead(user):
        raise PermissionError("只有政务公开办负责人可以审核通报")
    _check_editable(circular)
    circular.status = Circular.Status.APPROVED
    circular.approved_by, circular.approved_at = user, timezone.now()
    circular.save()
    audit_record(actor=user, action="circular_approve", target=circular)
    return circular


def document_for(circular: Circular, *, doc_number: str | None = None) -> CircularDocument:
    """The document as it prints: the circular's words, and annexes from the data (or, once
    published, exactly as they were printed)."""
    if circular.is_published and circular.snapshot.get("document"):
        return document_from_snapshot(circular.snapshot["document"])
    report = build_report(circular.period)
    built = annexes.build_annexes(report, circular.annexes)
    sections = (
        Section("一、总体情况", _paragraphs(circular.overall)),
        Section("二、存在问题", _paragraphs(circular.problems)),
        Section("三、下一步工作", _paragraphs(circular.next_steps)),
    )
    corrects = f"（本通报更正{circular.corrects.doc_number}）" if circular.corrects_id else ""
    number = doc_number if doc_number is not None else circular.doc_number
    return CircularDocument(
        office_header=circular.office.header,
        doc_number=number,
        title=circular.title,
        recipients=circular.recipients,
        preamble=_paragraphs(circular.preamble),
        sections=sections,
        annexes=built,
        issuer=circular.issuer,
        date=circular.issued_on,
        corrects=corrects,
        draft=not number,
    )


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").splitlines() if p.strip())


def document_to_snapshot(doc: CircularDocument) -> dict:
    data = dataclasses.asdict(doc)
    data["date"] = doc.date.isoformat()
    return data


def document_from_snapshot(data: dict) -> CircularDocument:
    return CircularDocument(
        office_header=data["office_header"],
        doc_number=data["doc_number"],
        title=data["title"],
        recipients=data["recipients"],
        preamble=tuple(data["preamble"]),
        sections=tuple(Section(s["heading"], tuple(s["paragraphs"])) for s in data["sections"]),
        annexes=tuple(
            Annex(
                number=a["number"],
                title=a["title"],
                columns=tuple(a["columns"]),
                rows=tuple(tuple(r) for r in a["rows"]),
                widths=tuple(a.get("widths") or ()),
                note=a.get("note", ""),
                landscape=a.get("landscape", False),
            )
            for a in data["annexes"]
        ),
        issuer=data["issuer"],
        date=dt.date.fromisoformat(data["date"]),
        corrects=data.get("corrects", ""),
        draft=False,
    )


def _take_number(office: Office, year: int) -> int:
    DocNumber.objects.get_or_create(prefix=office.doc_prefix, year=year)
    row = DocNumber.objects.select_for_update().get(prefix=office.doc_prefix, year=year)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


def circular_publish(circular: Circular, *, user, signer=None, timestamper=None) -> Circular:
    """Approve → publish: number, render, sign, freeze. The lead only; the period locked."""
    if not is_lead(user):
        raise PermissionError("只有政务公开办负责人可以发布通报")
    if circular.status != Circular.Status.APPROVED:
        raise ValueError("通报须经负责人审核后才能发布")
    if not circular.period.is_locked:
        raise ValueError(f"{circular.period.label}尚未锁定：请先认定并锁定检查结果，再发布通报")
    from notices.annex_xlsx import annexes_xlsx
    from notices.render import render_pdf
    from notices.signing import load_office_signer, sign_pdf

    signer = signer or load_office_signer()
    with transaction.atomic():
        locked = Circular.objects.select_for_update().get(pk=circular.pk)
        if locked.status != Circular.Status.APPROVED:
            raise ValueError("该通报已经发布")
        year = circular.issued_on.year
        serial = _take_number(circular.office, year)
        number = doc_number_text(circular.office.doc_prefix, year, serial)
        doc = document_for(circular, doc_number=number)
        signed = sign_pdf(
            render_pdf(doc),
            signer,
            reason=f"发布{number}",
            location=circular.office.name,
            seal_image=settings.GOVWATCH_SIGNING_SEAL_IMAGE or None,
            timestamp_url=settings.GOVWATCH_TSA_URL or None,
            timestamper=timestamper,
        )
        token = uuid.uuid4().hex[:12]
        circular.doc_year, circular.doc_serial, circular.doc_number = year, serial, number
        circular.pdf.save(f"{year}/{serial}-{token}.pdf", ContentFile(signed), save=False)
        circular.xlsx.save(
            f"{year}/{serial}-{token}.xlsx", ContentFile(annexes_xlsx(doc)), save=False
        )
        circular.pdf_sha256 = hashlib.sha256(signed).hexdigest()
        circular.snapshot = {"document": document_to_snapshot(doc)}
        circular.status = Circular.Status.PUBLISHED
        circular.published_by, circular.published_at = user, timezone.now()
        circular._publishing = True
        circular.save()
        circular._publishing = False
        audit_record(
            actor=user,
            action="circular_publish",
            target=circular,
            after={"doc_number": number, "sha256": circular.pdf_sha256},
            period=circular.period.code,
        )
    return circular


def published_by_sha256(sha256: str) -> Circular | None:
    return Circular.objects.filter(status=Circular.Status.PUBLISHED, pdf_sha256=sha256).first()
