"""Release notes of a patch, generated from the defects it fixes, in a contact's language."""

from __future__ import annotations

from django.utils import formats, translation
from django.utils.translation import gettext as _

from palier.engineering.models import Patch


def release_notes(patch: Patch, language: str) -> str:
    """Plain text: a heading, then one line per fixed defect (its title in `language` when
    R&D gave one), grouped by module, then R&D's own notes."""
    version = patch.version
    defects = sorted(
        patch.defects.select_related("module"),
        key=lambda d: ((d.module.name if d.module else ""), d.pk),
    )
    with translation.override(language):
        lines = [
            _("%(product)s %(version)s")
            % {"product": version.product.name, "version": version.number}
        ]
        if version.released_on:
            lines.append(
                _("Released on %(date)s")
                % {"date": formats.date_format(version.released_on, "DATE_FORMAT")}
            )
        lines += ["", _("Fixed in this version:")]
        for defect in defects:
            module = f"{defect.module.name_in(language)}: " if defect.module else ""
            lines.append(f"- {defect.reference} {module}{defect.title_in(language)}")
        if not defects:
            lines.append("- " + _("No listed defects."))
        if notes := patch.notes_in(language):
            lines += ["", notes]
    return "\n".join(lines)
